import {
  explicitSlots,
  freeTextAnswer,
  isBareYesNoText,
  isSubstantiveDescription,
  isTaskIntent,
  looksLikeAffirm,
  looksLikeDeny,
  missingSlots,
  namedSlot,
  parseRefundMethod,
  parseReturnType,
  reasonAfterBecause,
} from '../../src/domain';
import { u } from './helpers';

describe('word cues (EN and ZH)', () => {
  it.each([
    ['store credit please', 'store_credit'],
    ['退到余额吧', 'store_credit'],
    ['bank transfer', 'bank_transfer'],
    ['打到我的银行卡', 'bank_transfer'],
    ['back to my card', 'original_payment'],
    ['原路退回', 'original_payment'],
    ['whatever', undefined],
  ])('refund method in %s', (text, method) => {
    expect(parseRefundMethod(text)).toBe(method);
  });

  it.each([
    ['I want to exchange it', 'exchange'],
    ['换一个新的', 'exchange'],
    ['I want to return it', 'return'],
    ['我要退货', 'return'],
    ['not sure', undefined],
  ])('return type in %s', (text, type) => {
    expect(parseReturnType(text)).toBe(type);
  });

  it('picks the reason after "because" / "因为"', () => {
    expect(reasonAfterBecause('I want a refund because it arrived broken.')).toBe('it arrived broken');
    expect(reasonAfterBecause('我要退款，因为质量有问题。')).toBe('质量有问题');
    expect(reasonAfterBecause('refund please')).toBeUndefined();
  });

  it('tells yes from no, and bare answers from answers that start with a cue', () => {
    for (const yes of ['yes', 'Yes please', 'ok', 'sure, go ahead', '好的', '确认', '是的']) expect(looksLikeAffirm(yes)).toBe(true);
    for (const no of ['no', 'nope', 'never mind', '不', '不对', '算了']) expect(looksLikeDeny(no)).toBe(true);
    expect(looksLikeAffirm('no')).toBe(false);
    expect(looksLikeDeny('yes')).toBe(false);
    for (const bare of ['yes', 'OK!', 'no thanks', '好的', '不对。']) expect(isBareYesNoText(bare)).toBe(true);
    for (const answer of ['wrong size', 'no box in the parcel', '好的质量不是这样的']) expect(isBareYesNoText(answer)).toBe(false);
  });

  it('finds the slot a customer names when asked what to change', () => {
    expect(namedSlot('the order number')).toBe('orderNumber');
    expect(namedSlot('改一下原因')).toBe('reason');
    expect(namedSlot('the refund method')).toBe('refundMethod');
    expect(namedSlot('换个地址')).toBe('address');
    expect(namedSlot('hmm')).toBeUndefined();
  });
});

describe('slots', () => {
  it('knows the task intents', () => {
    expect(isTaskIntent('get_refund')).toBe(true);
    expect(isTaskIntent('greeting')).toBe(false);
    expect(isTaskIntent(undefined)).toBe(false);
  });

  it('lists missing slots in asking order', () => {
    expect(missingSlots('get_refund', {})).toEqual(['orderNumber', 'reason', 'refundMethod']);
    expect(missingSlots('get_refund', { reason: 'x' })).toEqual(['orderNumber', 'refundMethod']);
    expect(missingSlots('return_exchange', { orderNumber: '100000000001' })).toEqual(['returnType', 'reason']);
    expect(missingSlots('complaint', { description: 'x' })).toEqual([]);
  });

  it('takes only well-formed order numbers and only the slots the task uses', () => {
    expect(explicitSlots('track_order', u('track_order', 'x', { entities: { orderNumber: '12345' } }))).toEqual({});
    expect(explicitSlots('track_order', u('track_order', 'x', { entities: { orderNumber: '100000000001', refundMethod: 'store_credit' } }))).toEqual({
      orderNumber: '100000000001',
    });
    expect(explicitSlots('get_refund', u('get_refund', 'refund to store credit', {}))).toEqual({ refundMethod: 'store_credit' });
    expect(explicitSlots('change_shipping_address', u('change_shipping_address', 'x', { entities: { address: '  1 Main St ' } }))).toEqual({ address: '1 Main St' });
  });

  it('reads free text only for free-text slots and never a bare yes/no', () => {
    expect(freeTextAnswer('reason', u('out_of_scope', 'it broke', { confidence: 0.2 }))).toBe('it broke');
    expect(freeTextAnswer('orderNumber', u('out_of_scope', 'it broke'))).toBeUndefined();
    expect(freeTextAnswer('reason', u('affirm', 'yes'))).toBeUndefined();
    expect(freeTextAnswer('reason', u('affirm', '质量有问题', { confidence: 0.27 }))).toBe('质量有问题');
  });

  it('judges whether an opening message describes the problem', () => {
    expect(isSubstantiveDescription('I want to complain')).toBe(false);
    expect(isSubstantiveDescription('The courier left my parcel in the rain and it is soaked')).toBe(true);
    expect(isSubstantiveDescription('我要投诉')).toBe(false);
    expect(isSubstantiveDescription('快递员把包裹扔在门口，被雨淋湿了，里面的东西都坏了')).toBe(true);
  });
});
