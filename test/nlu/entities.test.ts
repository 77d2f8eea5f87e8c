import {
  extractAddress,
  extractAmount,
  extractEmail,
  extractEntities,
  extractOrderNumber,
  extractPhone,
  extractProduct,
  extractReason,
  extractRefundMethod,
  extractReturnType,
  normalize,
  parseChineseNumber,
} from '../../src/nlu';

describe('order numbers', () => {
  test.each([
    ['where is order 100000000001', '100000000001'],
    ['order #100000000002 please', '100000000002'],
    ['订单号100000000003', '100000000003'],
    ['订单号:１０００００００００１１', '100000000011'],
    ['my order is 1000-0000-0004', '100000000004'],
    ['订单号一零零零零零零零零零零五', '100000000005'],
  ])('%j → %s', (text, expected) => {
    expect(extractOrderNumber(normalize(text))).toBe(expected);
  });

  test.each([['call 1000000000011 now'], ['only 12345 here'], ['price 100000000001.50'], ['no digits at all']])(
    'none in %j',
    (text) => {
      expect(extractOrderNumber(normalize(text))).toBeUndefined();
    },
  );
});

describe('amounts', () => {
  test.each([
    ['refund $250 please', 250, 'USD'],
    ['it cost 250 dollars', 250, 'USD'],
    ['退250元', 250, 'CNY'],
    ['¥250', 250, 'CNY'],
    ['￥２５０', 250, 'CNY'],
    ['USD 59.90 was charged', 59.9, 'USD'],
    ['US$1,299.99', 1299.99, 'USD'],
    ['it was 80 bucks', 80, 'USD'],
    ['€30 too much', 30, 'EUR'],
    ['花了两百五十块钱', 250, 'CNY'],
    ['一千元', 1000, 'CNY'],
    ['三百美元', 300, 'USD'],
    ['120 rmb', 120, 'CNY'],
  ])('%j → %d %s', (text, value, currency) => {
    expect(extractAmount(normalize(text))).toEqual({ value, currency });
  });

  test.each([['order 100000000001'], ['I waited 3 days'], ['size 42 shoes']])('none in %j', (text) => {
    expect(extractAmount(normalize(text))).toBeUndefined();
  });

  test.each([
    ['十五', 15],
    ['两百五十', 250],
    ['一万二千', 12000],
    ['三千零五', 3005],
    ['九', 9],
  ])('parseChineseNumber(%j) = %d', (text, value) => {
    expect(parseChineseNumber(text)).toBe(value);
  });
  test('parseChineseNumber rejects other characters', () => {
    expect(parseChineseNumber('三个')).toBeUndefined();
  });
});

describe('phone and email', () => {
  test.each([
    ['call me at 13812345678', '13812345678'],
    ['电话：138-1234-5678', '13812345678'],
    ['+86 13812345678', '+8613812345678'],
    ['my number is (555) 123-4567', '5551234567'],
    ['reach me on 555-123-4567', '5551234567'],
    ['+1 555 123 4567', '+15551234567'],
  ])('phone in %j', (text, expected) => {
    expect(extractPhone(normalize(text))).toBe(expected);
  });

  test('an order number is not a phone number', () => {
    expect(extractPhone('order 100000000001')).toBeUndefined();
  });

  test.each([
    ['mail me at Jane.Doe+cs@Example.com please', 'jane.doe+cs@example.com'],
    ['邮箱是 wang@qq.com', 'wang@qq.com'],
  ])('email in %j', (text, expected) => {
    expect(extractEmail(normalize(text))).toBe(expected);
  });
  test('no email in plain text', () => {
    expect(extractEmail('at home')).toBeUndefined();
  });
});

describe('refund method, return type, reason', () => {
  test.each([
    ['refund to my original payment method', 'original_payment'],
    ['put it back to my card', 'original_payment'],
    ['store credit is fine', 'store_credit'],
    ['just add it to my account balance', 'store_credit'],
    ['by bank transfer please', 'bank_transfer'],
    ['原路退回', 'original_payment'],
    ['退到余额就行', 'store_credit'],
    ['退到银行卡', 'bank_transfer'],
  ] as const)('%j → %s', (text, method) => {
    expect(extractRefundMethod(normalize(text))).toBe(method);
  });
  test('no method in an unrelated message', () => {
    expect(extractRefundMethod('where is my order')).toBeUndefined();
  });

  test.each([
    ['I want to return these shoes', 'return'],
    ['can I exchange it for a bigger size', 'exchange'],
    ['return it and exchange for a medium', 'exchange'],
    ['我要退货', 'return'],
    ['我想换货', 'exchange'],
    ['换一个颜色', 'exchange'],
  ] as const)('%j → %s', (text, type) => {
    expect(extractReturnType(normalize(text))).toBe(type);
  });
  test('"return policy" is not a return', () => {
    expect(extractReturnType('what is your return policy')).toBeUndefined();
  });

  test.each([
    ['I want a refund because it arrived broken.', 'it arrived broken'],
    ['refund please, because the size is wrong', 'the size is wrong'],
    ['cancel it due to a late delivery!', 'a late delivery'],
    ['我要退款，因为质量有问题。', '质量有问题'],
    ['由于尺码不合适，想退货', '尺码不合适'],
  ])('reason in %j', (text, reason) => {
    expect(extractReason(normalize(text))).toBe(reason);
  });
  test('no reason without a connective', () => {
    expect(extractReason('I want a refund')).toBeUndefined();
  });
});

describe('addresses and products', () => {
  test.each([
    ['please ship to 42 Elm Street, Springfield', '42 Elm Street, Springfield'],
    ['new address is 15 Park Lane', '15 Park Lane'],
    ['send it to 221B Baker St.', '221B Baker St'],
    ['帮我把收货地址改成上海市浦东新区世纪大道100号', '上海市浦东新区世纪大道100号'],
    ['寄到杭州市西湖区文三路', '杭州市西湖区文三路'],
    ['北京市朝阳区建国路88号', '北京市朝阳区建国路88号'],
    ['新地址:广东省深圳市南山区科技园1栋', '广东省深圳市南山区科技园1栋'],
  ])('address in %j', (text, address) => {
    expect(extractAddress(normalize(text))).toBe(address);
  });
  test.each([['I want to change my address'], ['改成黑色的'], ['我在北京市']])('no address in %j', (text) => {
    expect(extractAddress(normalize(text))).toBeUndefined();
  });

  test.each([
    ['my washing machine is broken', 'washing machine'],
    ['冰箱不制冷', 'refrigerator'],
    ['the earbuds have no sound', 'headphones'],
  ])('product in %j', (text, product) => {
    expect(extractProduct(text)).toBe(product);
  });
});

describe('extractEntities', () => {
  test('collects every entity and leaves absent ones out', () => {
    const text = normalize('Refund $250 on order 100000000001 to store credit, because it broke. Email a@b.co');
    expect(extractEntities(text)).toEqual({
      orderNumber: '100000000001',
      amount: { value: 250, currency: 'USD' },
      email: 'a@b.co',
      reason: 'it broke',
      refundMethod: 'store_credit',
    });
  });

  test('Chinese message', () => {
    expect(extractEntities(normalize('订单１００００００００００３退款８９９元，原路退回'))).toEqual({
      orderNumber: '100000000003',
      amount: { value: 899, currency: 'CNY' },
      refundMethod: 'original_payment',
    });
  });

  test('nothing to extract', () => {
    expect(extractEntities('hello')).toEqual({});
  });
});

describe('card and identity numbers are never order numbers', () => {
  test.each([
    ['I want a refund because my card 4111 1111 1111 1111 was charged twice'],
    ['refund please, card 4111-1111-1111-1111'],
    ['card number 4111111111111111'],
    ['amex 3782 822463 10005 was charged'],
    ['unknown card 1234 5678 9012 3456'],
    ['退款，我的卡号是 6011 1111 1111 1117'],
    ['身份证号 110105 19491231 002X'],
    ['身份证 110105 1949 1231 002X'],
    ['身份证11010519491231002X'],
  ])('no order number in %j', (text) => {
    const normalized = normalize(text);
    expect(extractOrderNumber(normalized)).toBeUndefined();
    const entities = extractEntities(normalized);
    expect(entities.orderNumber).toBeUndefined();
    expect(entities.phone).toBeUndefined();
    expect(entities.amount).toBeUndefined();
  });

  test.each([
    ['order 100000000001, card 4111 1111 1111 1111', '100000000001'],
    ['card 4111 1111 1111 1111 for order 1000-0000-0004', '100000000004'],
    ['订单100000000003，身份证 110105 19491231 002X', '100000000003'],
  ])('the real order number next to one: %j → %s', (text, expected) => {
    expect(extractOrderNumber(normalize(text))).toBe(expected);
  });
});
