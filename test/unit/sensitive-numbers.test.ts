import { blankSensitiveNumbers, hasSensitiveNumber, maskCardNumbers, maskIdNumbers, passesLuhn } from '../../src/privacy/sensitive-numbers';

describe('passesLuhn', () => {
  it.each([
    ['4111111111111111', true],
    ['378282246310005', true],
    ['6011111111111117', true],
    ['4111111111111112', false],
    ['', false],
    ['12a4', false],
  ])('%s → %s', (digits, ok) => expect(passesLuhn(digits)).toBe(ok));
});

describe('maskCardNumbers', () => {
  it.each([
    ['card 4111 1111 1111 1111 exp 12/27', 'card [card] exp 12/27'],
    ['card 4111-1111-1111-1111', 'card [card]'],
    ['card 4111111111111111.', 'card [card].'],
    ['amex 3782 822463 10005', 'amex [card]'],
    ['卡号6011111111111117谢谢', '卡号[card]谢谢'],
    // 19 digits, Luhn-valid.
    ['4000 0000 0000 0000 006', '[card]'],
  ])('%s', (input, expected) => expect(maskCardNumbers(input)).toBe(expected));

  it('keeps order numbers, tracking numbers that fail Luhn, and short numbers', () => {
    for (const text of ['order 100000000001', 'tracking 1234567890123', 'order 1000-0000-0004', 'order 100000000001 2 items']) {
      expect(maskCardNumbers(text)).toBe(text);
    }
  });

  it('without the Luhn check masks every card-shaped number', () => {
    expect(maskCardNumbers('card 4111 1111 1111 1112', '[card]', { luhn: false })).toBe('card [card]');
    expect(maskCardNumbers('order 100000000001', '[card]', { luhn: false })).toBe('order 100000000001');
  });
});

describe('maskIdNumbers', () => {
  it.each([
    ['身份证 11010519491231002X', '身份证 [id]'],
    ['身份证号 110105 19491231 002X 谢谢', '身份证号 [id] 谢谢'],
    ['id 110105-1949-1231-002x', 'id [id]'],
    ['SSN 078-05-1120', 'SSN [id]'],
  ])('%s', (input, expected) => expect(maskIdNumbers(input)).toBe(expected));

  it('keeps order numbers and phone numbers', () => {
    expect(maskIdNumbers('order 100000000001, call 13812345678')).toBe('order 100000000001, call 13812345678');
  });
});

describe('blankSensitiveNumbers', () => {
  it('blanks cards and ids in place and keeps the rest', () => {
    const text = 'order 100000000001 card 4111 1111 1111 1111 id 110105 19491231 002X';
    const blanked = blankSensitiveNumbers(text);
    expect(blanked).toHaveLength(text.length);
    expect(blanked).toContain('order 100000000001');
    expect(blanked).not.toMatch(/4111|110105|002X/);
  });
  it('hasSensitiveNumber', () => {
    expect(hasSensitiveNumber('my card 4111111111111111')).toBe(true);
    expect(hasSensitiveNumber('order 100000000001')).toBe(false);
  });
});
