import { render, TEMPLATES } from '../../src/domain/templates';
import { checkGrounded, checkReply, extractNumbers, parseChineseNumeral } from '../../src/llm/guardrails';
import type { GuardrailRule } from '../../src/llm/types';
import type { Language } from '../../src/workflows/contract';

function rules(candidate: string, draft: string, language: Language, facts?: Record<string, string>): GuardrailRule[] {
  return [...new Set(checkReply({ candidate, draft, language, facts }).map((v) => v.rule))].sort();
}

describe('checkReply — English', () => {
  const draft = 'Your order 100000000002 is in transit with UPS. The estimated delivery date is 2025-06-03.';

  it.each([
    ['a faithful rephrasing', 'Good news: order 100000000002 is on its way with UPS and should arrive by 2025-06-03.'],
    ['the date written out', 'Order 100000000002 is travelling with UPS; it is expected on June 3, 2025.'],
    ['the date with an ordinal', 'Order 100000000002 is with UPS and should reach you on the 3rd of June 2025.'],
    ['fewer facts', 'Your order 100000000002 is in transit with UPS.'],
  ])('accepts %s', (_name, candidate) => {
    expect(rules(candidate, draft, 'en')).toEqual([]);
  });

  it.each<[string, string, GuardrailRule[]]>([
    ['a wrong order number', 'Your order 100000000003 is in transit with UPS.', ['ungrounded_number']],
    ['an invented delivery day', 'Order 100000000002 will arrive on 2025-06-02.', ['ungrounded_number']],
    ['an invented time frame in words', 'Order 100000000002 will arrive within two days.', ['ungrounded_number']],
    ['a couple of days', 'Order 100000000002 should be there in a couple of days.', ['ungrounded_number']],
    ['tomorrow', 'Order 100000000002 arrives tomorrow with UPS.', ['ungrounded_date']],
    ['a weekday', 'Order 100000000002 should arrive by Friday.', ['ungrounded_date']],
    ['a wrong month', 'Order 100000000002 is expected on July 3, 2025.', ['ungrounded_number']],
    ['compensation', 'Order 100000000002 is in transit, and we will compensate you for the wait.', ['compensation']],
    ['a voucher', 'Order 100000000002 is in transit. Here is a voucher for your next purchase.', ['compensation']],
    ['a discount with an amount', 'Order 100000000002 is in transit. Enjoy 10% off your next order!', ['compensation', 'ungrounded_number']],
    ['a refund promise', 'If order 100000000002 is late we will refund you in full.', ['compensation']],
    ['free shipping', 'Order 100000000002 is in transit, and your next delivery is free of charge.', ['compensation']],
    ['an account credit', 'Order 100000000002 is in transit; we have credited your account for the trouble.', ['compensation']],
    ['a guarantee', 'We guarantee order 100000000002 arrives on 2025-06-03.', ['compensation']],
    ['an apology the draft does not make', 'Sorry for the wait! Order 100000000002 is in transit with UPS.', ['apology']],
    ['a link', 'Track order 100000000002 at https://ups.example/track.', ['ungrounded_link']],
    ['an email address', 'Write to help@shop.example about order 100000000002.', ['ungrounded_link']],
    ['a phone number', 'Call 800 555 0199 about order 100000000002.', ['ungrounded_number']],
    ['a switch to Chinese', '您的订单100000000002正在运输中。', ['language']],
    ['a switch to French', 'Votre commande 100000000002 est en cours de livraison chez UPS.', ['language']],
    ['a switch to Japanese', 'ご注文100000000002は配送中です。', ['language']],
    ['an empty answer', '   ', ['empty']],
  ])('rejects %s', (_name, candidate, expected) => {
    expect(rules(candidate, draft, 'en')).toEqual(expected);
  });

  it('rejects rambling output', () => {
    const long = `Order 100000000002 is in transit with UPS. ${'It is on its way. '.repeat(40)}`;
    expect(rules(long, draft, 'en')).toContain('too_long');
  });

  it('allows amounts, refunds and apologies the draft already has', () => {
    const refundDraft = 'Sorry about that. Your refund of USD 59.90 for order 100000000001 has been submitted.';
    expect(rules('Sorry about that — the USD 59.90 refund for order 100000000001 is submitted.', refundDraft, 'en')).toEqual([]);
    expect(rules('I have submitted a $59.9 refund for order 100000000001.', refundDraft, 'en')).toEqual([]);
    // …but not a second apology, nor a different amount.
    expect(rules('Sorry! So sorry. Refund of USD 59.90 for 100000000001 submitted.', refundDraft, 'en')).toEqual(['apology']);
    expect(rules('Your refund of USD 69.90 for order 100000000001 is submitted.', refundDraft, 'en')).toEqual(['ungrounded_number']);
  });

  it('allows values from the facts', () => {
    const d = 'Your refund has been submitted.';
    const facts = { orderNumber: '100000000001', amount: 'USD 59.90', refundId: 'RF-000001' };
    expect(rules('The refund RF-000001 of USD 59.90 for order 100000000001 has been submitted.', d, 'en', facts)).toEqual([]);
  });

  it('full-width digits count as the same numbers', () => {
    expect(rules('Order １０００００００００02 is in transit with UPS.', draft, 'en')).toEqual([]);
  });

  it('a Chinese address quoted from the facts does not make an English reply Chinese', () => {
    const facts = { address: '上海市浦东新区世纪大道100号' };
    expect(rules('We will ship to 上海市浦东新区世纪大道100号 as requested.', 'The address has been updated.', 'en', facts)).toEqual([]);
  });

  it('"credit card" is not a credit promise; "May" as a verb is not a month', () => {
    const d = 'Please pay with a credit card.';
    expect(rules('You may pay with a credit card.', d, 'en')).toEqual([]);
  });
});

describe('checkReply — Chinese', () => {
  const draft = '您的订单100000000002正在运输中，承运商为UPS，预计2025-06-03送达。';

  it.each([
    ['a faithful rephrasing', '订单100000000002已由UPS承运，正在路上，预计2025-06-03送达。'],
    ['the date in Chinese', '您的订单100000000002正在运输中，预计2025年6月3日送达。'],
    ['full-width digits', '订单１０００００００００02正在运输中，预计2025年6月3日到达。'],
    ['a few Latin words from the draft', '您的UPS包裹（订单100000000002）正在运输中。'],
  ])('accepts %s', (_name, candidate) => {
    expect(rules(candidate, draft, 'zh')).toEqual([]);
  });

  it.each<[string, string, GuardrailRule[]]>([
    ['a wrong order number', '您的订单100000000003正在运输中。', ['ungrounded_number']],
    ['a Chinese-numeral time frame', '您的订单100000000002五天内送达。', ['ungrounded_number']],
    ['两个工作日', '订单100000000002预计两个工作日内送达。', ['ungrounded_number']],
    ['a wrong date in Chinese', '您的订单100000000002预计2025年6月5日送达。', ['ungrounded_number']],
    ['明天', '您的订单100000000002明天就到。', ['ungrounded_date']],
    ['周五', '您的订单100000000002周五前送达。', ['ungrounded_date']],
    ['compensation', '订单100000000002正在运输中，我们会给您补偿。', ['compensation']],
    ['a coupon', '订单100000000002正在运输中，送您一张优惠券。', ['compensation']],
    ['a discount in 折', '订单100000000002正在运输中，下次购物给您打8折。', ['compensation', 'ungrounded_number']],
    ['a refund promise', '如果订单100000000002延误，我们将为您全额退款。', ['compensation']],
    ['free of charge', '订单100000000002正在运输中，下次免费配送。', ['compensation']],
    ['a guarantee', '我们保证订单100000000002按时送达。', ['compensation']],
    ['an amount in Chinese numerals', '订单100000000002正在运输中，补贴您一百元。', ['ungrounded_number']],
    ['an apology', '非常抱歉让您久等，订单100000000002正在运输中。', ['apology']],
    ['a switch to English', 'Your order 100000000002 is in transit with UPS.', ['language']],
    ['mostly English', '订单100000000002 is in transit and should arrive soon, thanks for waiting.', ['language']],
    ['Japanese kana', '订单100000000002は配送中です。', ['language']],
  ])('rejects %s', (_name, candidate, expected) => {
    expect(rules(candidate, draft, 'zh')).toEqual(expected);
  });

  it('allows a refund and an apology the draft has', () => {
    const d = '很抱歉给您带来不便。订单100000000001的退款59.90美元已提交。';
    expect(rules('抱歉给您添麻烦了，订单100000000001的59.9美元退款已经提交。', d, 'zh')).toEqual([]);
    expect(rules('抱歉！对不起！订单100000000001的退款已提交。', d, 'zh')).toEqual(['apology']);
  });

  it('ordinary words with 一 are not numbers', () => {
    expect(rules('请稍等一下，订单100000000002正在运输中，一起来看看。', draft, 'zh')).toEqual([]);
  });

  it('folding (折叠) is not a discount', () => {
    const d = '这款折叠椅的订单100000000008已发货。';
    expect(rules('您的折叠椅订单100000000008已经发货了。', d, 'zh')).toEqual([]);
  });
});

describe('checkGrounded (handover summaries)', () => {
  const sources = ['{"orderIds":["100000000001"],"filledSlots":{"amount":"59.90"}}', 'I want a refund for my keyboard'];

  it('accepts a summary that talks about refunds and cites real values', () => {
    expect(checkGrounded('Customer wants a refund of 59.90 for order 100000000001; the refund tool was not called.', sources)).toEqual([]);
  });

  it('rejects invented order ids, amounts and dates', () => {
    const v = checkGrounded('Customer wants 80 back for order 100000000009 by tomorrow.', sources);
    expect(v.map((x) => x.rule).sort()).toEqual(['ungrounded_date', 'ungrounded_number', 'ungrounded_number']);
    expect(v.map((x) => x.detail)).toEqual(expect.arrayContaining(['80', '100000000009']));
  });

  it('rejects an empty summary', () => {
    expect(checkGrounded(' ', sources)).toEqual([{ rule: 'empty', detail: 'no text' }]);
  });
});

describe('number extraction', () => {
  it.each<[string, string[]]>([
    ['USD 59.90', ['59.9']],
    ['$1,299.00', ['1299']],
    ['¥1299', ['1299']],
    ['2025-06-03', ['2025', '6', '3']],
    ['order 100000000001', ['100000000001']],
    ['within twenty-five days', ['25']],
    ['two hundred dollars', ['200']],
    ['三天', ['3']],
    ['十五个工作日', ['15']],
    ['一百二十元', ['120']],
    ['两千块', ['2000']],
    ['一万五千元', ['15000']],
    ['１２３', ['123']],
  ])('%s → %j', (text, expected) => {
    expect(extractNumbers(text.normalize('NFKC')).sort()).toEqual(expected.sort());
  });

  it.each<[string, number]>([
    ['十', 10],
    ['十一', 11],
    ['二十', 20],
    ['一百零五', 105],
    ['三千二百', 3200],
    ['两万', 20000],
  ])('parseChineseNumeral(%s) = %d', (text, value) => {
    expect(parseChineseNumeral(text)).toBe(value);
  });
});

describe('every reply template passes as its own phrasing', () => {
  // A model that returns the draft verbatim must never be rejected.
  const params = new Proxy({} as Record<string, string>, {
    get: (_t, key) =>
      ({ orderNumber: '100000000002', amount: 'USD 59.90', eta: '2025-06-03', at: '2025-05-23 19:05 UTC' })[String(key)] ??
      `sample ${String(key)}`,
  });
  const cases = (Object.keys(TEMPLATES) as Array<keyof typeof TEMPLATES>).flatMap((key) =>
    (['en', 'zh'] as const).map((language) => [key, language] as const),
  );
  it.each(cases)('%s (%s)', (key, language) => {
    const draft = render(key, language, params);
    expect(checkReply({ candidate: draft, draft, language })).toEqual([]);
  });
});
