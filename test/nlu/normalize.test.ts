import { chineseDigitRunsToAscii, detectLanguage, matchForm, normalize, toHalfWidth } from '../../src/nlu';

describe('normalize', () => {
  test.each([
    ['ＡＢＣ１２３，！', 'ABC123,!'],
    ['  where   is\tmy\norder  ', 'where is my order'],
    ['订单号：１００００００００００１', '订单号:100000000001'],
    ['ＯＲＤＥＲ\u3000＃１２３', 'ORDER #123'],
    ['我要退款。谢谢！', '我要退款.谢谢!'],
    ['￥２５０', '¥250'],
    ['订单号一零零零零零零零零零零一', '订单号100000000001'],
    ['订单号幺零零零零零零零零零零二', '订单号100000000002'],
    ['一二天能到吗', '一二天能到吗'],
    ['三四天', '三四天'],
    ['zero\u200bwidth', 'zerowidth'],
    ['Keep Case For Entities', 'Keep Case For Entities'],
    ['', ''],
    ['   ', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalize(input)).toBe(expected);
  });

  test('toHalfWidth maps the whole full-width ASCII block and leaves Chinese alone', () => {
    expect(toHalfWidth('ｈｅｌｌｏ　ｗｏｒｌｄ～你好')).toBe('hello world~你好');
  });

  test('only long runs of Chinese digits become numbers', () => {
    expect(chineseDigitRunsToAscii('电话一三八零零一三八零零零')).toBe('电话13800138000');
    expect(chineseDigitRunsToAscii('五六个')).toBe('五六个');
  });

  test('matchForm lower-cases', () => {
    expect(matchForm('WHERE Is MY Order')).toBe('where is my order');
  });
});

describe('detectLanguage', () => {
  test.each([
    ['where is my order', 'en'],
    ['我的订单到哪了', 'zh'],
    ['我要refund', 'zh'],
    ['ok 好的', 'zh'],
    ['order 100000000001 please help 谢谢', 'en'],
    ['订单100000000001', 'zh'],
    ['Hi 你好', 'zh'],
    ['iPhone 15 有货吗', 'zh'],
    ['I want to return the 耳机 I bought', 'en'],
  ] as const)('%j → %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });

  test('text without letters keeps the hint', () => {
    expect(detectLanguage('100000000001', 'zh')).toBe('zh');
    expect(detectLanguage('100000000001', 'en')).toBe('en');
    expect(detectLanguage('?!')).toBe('en');
  });
});
