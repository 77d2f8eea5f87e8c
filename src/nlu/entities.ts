/**
 * Entity extraction by regular expressions, English and Chinese. Input is the
 * output of {@link normalize} (half-width, digits as ASCII), original case.
 */
import { blankSensitiveNumbers } from '../privacy/sensitive-numbers';
import type { Entities } from '../workflows/contract';

/**
 * Order numbers are exactly 12 digits; customers sometimes group them in
 * fours. A grouped match must not be the first twelve digits of a longer
 * grouped number ("4111 1111 1111 1111" is a card, not order 411111111111).
 */
const ORDER_NUMBER = /(?<![\d.]|\d[- ])(\d{12}|\d{4}[- ]\d{4}[- ]\d{4})(?![\d.]|[- ]\d)/;

const EMAIL = /[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/i;

/** Chinese mobile numbers, then North-American / international formats. */
const PHONE_CN = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/;
const PHONE_INTL = /(?<![\w])(?:\+\d{1,3}[ -]?)?(?:\(\d{3}\)[ -]?|\d{3}[ -.])\d{3}[ -.]\d{4}(?!\d)/;

const NUMBER = String.raw`(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)`;

const CURRENCY_WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?:usd|us\$|dollars?|bucks|美元|美金|刀)$/i, 'USD'],
  [/^(?:cny|rmb|yuan|元|块钱?|人民币)$/i, 'CNY'],
  [/^(?:eur|euros?|欧元)$/i, 'EUR'],
  [/^(?:gbp|pounds?|英镑)$/i, 'GBP'],
];
const CURRENCY_SYMBOLS: Readonly<Record<string, string>> = { $: 'USD', '¥': 'CNY', '€': 'EUR', '£': 'GBP' };

const AMOUNT_SYMBOL_FIRST = new RegExp(String.raw`(?:(us)?([$¥€£])|\b(usd|cny|rmb|eur|gbp)\b)\s?${NUMBER}`, 'i');
const AMOUNT_UNIT_AFTER = new RegExp(
  String.raw`${NUMBER}\s?(usd|dollars?|bucks|cny|rmb|yuan|euros?|eur|gbp|pounds?|美元|美金|元|块钱?|欧元|英镑|人民币)(?![a-z])`,
  'i',
);
const CHINESE_AMOUNT = /([零一二两三四五六七八九十百千万]+)(美元|美金|元|块钱?|欧元)/;

const CHINESE_NUMERALS: Readonly<Record<string, number>> = {
  零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const CHINESE_UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };

/** Chinese numerals with place units ("两百五十" → 250, "一万二千" → 12000); undefined when malformed. */
export function parseChineseNumber(text: string): number | undefined {
  let total = 0;
  let section = 0;
  let digit: number | undefined;
  for (const ch of text) {
    if (ch in CHINESE_NUMERALS) {
      digit = CHINESE_NUMERALS[ch];
    } else if (ch in CHINESE_UNITS) {
      // "十五" means 15: a unit with no digit before it counts once.
      section += (digit ?? 1) * CHINESE_UNITS[ch]!;
      digit = undefined;
    } else if (ch === '万') {
      total += (section + (digit ?? 0)) * 10000;
      section = 0;
      digit = undefined;
    } else {
      return undefined;
    }
  }
  const value = total + section + (digit ?? 0);
  return value > 0 ? value : undefined;
}

function toNumber(text: string): number {
  return Number(text.replace(/,/g, ''));
}

function currencyOfWord(word: string): string | undefined {
  return CURRENCY_WORDS.find(([re]) => re.test(word))?.[1];
}

/** The money amount mentioned, if any: "$250", "250 dollars", "250元", "¥250", "USD 59.90", "两百元". */
export function extractAmount(text: string): Entities['amount'] {
  // Order, phone, card and id numbers are digits too; never read them as money.
  const masked = blankSensitiveNumbers(text).replace(new RegExp(ORDER_NUMBER, 'g'), ' ');
  const symbolFirst = AMOUNT_SYMBOL_FIRST.exec(masked);
  if (symbolFirst) {
    const symbol = symbolFirst[2];
    const code = symbolFirst[3];
    const currency = symbol ? CURRENCY_SYMBOLS[symbol] : code ? currencyOfWord(code) : undefined;
    return { value: toNumber(symbolFirst[4]!), currency: currency ?? (code ? code.toUpperCase() : undefined) };
  }
  const unitAfter = AMOUNT_UNIT_AFTER.exec(masked);
  if (unitAfter) return { value: toNumber(unitAfter[1]!), currency: currencyOfWord(unitAfter[2]!) };
  const chinese = CHINESE_AMOUNT.exec(masked);
  if (chinese) {
    const value = parseChineseNumber(chinese[1]!);
    if (value !== undefined) return { value, currency: currencyOfWord(chinese[2]!) };
  }
  return undefined;
}

/** The order number mentioned; card and identity numbers are never taken for one. */
export function extractOrderNumber(text: string): string | undefined {
  const match = ORDER_NUMBER.exec(blankSensitiveNumbers(text));
  return match ? match[1]!.replace(/[- ]/g, '') : undefined;
}

export function extractPhone(text: string): string | undefined {
  const masked = blankSensitiveNumbers(text).replace(new RegExp(ORDER_NUMBER, 'g'), ' ');
  const match = PHONE_CN.exec(masked) ?? PHONE_INTL.exec(masked);
  return match ? match[0].replace(/[^\d+]/g, '') : undefined;
}

export function extractEmail(text: string): string | undefined {
  return EMAIL.exec(text)?.[0].toLowerCase();
}

const REFUND_METHODS: ReadonlyArray<readonly [RegExp, NonNullable<Entities['refundMethod']>]> = [
  [/store credit|account (?:balance|credit)|wallet|gift card|credit (?:it )?to my account|余额|钱包|购物金|礼品卡/i, 'store_credit'],
  [/bank transfer|wire transfer|bank account|direct deposit|银行转账|银行卡|转账|打到卡/i, 'bank_transfer'],
  [
    /original (?:payment|method|card)|same (?:card|payment|method)|back to (?:my|the) (?:card|credit card|paypal)|to my (?:credit )?card|原路|原支付|原付款|原卡/i,
    'original_payment',
  ],
];

export function extractRefundMethod(text: string): Entities['refundMethod'] {
  return REFUND_METHODS.find(([re]) => re.test(text))?.[1];
}

/** "exchange"/换货 wins over "return"/退货 when both appear: "return it and exchange for a bigger size". */
export function extractReturnType(text: string): Entities['returnType'] {
  if (/\bexchang|\bswap|\breplacement\b|换货|换一[个件双台]|换成|换个|调换/i.test(text)) return 'exchange';
  if (/\breturn(?:ing|ed)?\b(?! (?:policy|policies))|\bsend (?:it |them |this |that )?back\b|退货|退回去|寄回/i.test(text)) return 'return';
  return undefined;
}

const REASON_EN = /\b(?:because(?: of)?|'?cause|cuz|coz|due to|the reason is|reason:)\s+([^.!?;\n]{3,120})/i;
const REASON_ZH = /(?:因为|由于|原因是|理由是|原因:)\s*([^。.!！?？;；,，\n]{2,60})/;

/** Short free-text reason after "because"/"因为"; trailing filler is trimmed. */
export function extractReason(text: string): string | undefined {
  const match = REASON_ZH.exec(text) ?? REASON_EN.exec(text);
  if (!match) return undefined;
  const reason = match[1]!.replace(/[,，\s]+$/, '').trim();
  return reason.length > 0 ? reason : undefined;
}

const STREET_SUFFIX = String.raw`(?:street|st|avenue|ave|road|rd|lane|ln|boulevard|blvd|drive|dr|way|court|ct|place|pl|square|sq|parkway|pkwy|highway|hwy)`;
const ADDRESS_EN = new RegExp(
  String.raw`\b\d{1,5}[a-z]?\s+(?:[a-z0-9'.-]+\s+){0,4}${STREET_SUFFIX}\b\.?(?:\s*,\s*(?:apt|unit|suite|#)?\s*[a-z0-9 .'#-]{1,40})*`,
  'i',
);
const ADDRESS_ZH_CUE = /(?:地址(?:改成|改为|换成|是|为|:)|改(?:成|为|到)|寄到|送到|发到)\s*([^,，。.!！?？;；\s]{4,60})/;
const ADDRESS_ZH_MARK = /[省市区县镇乡路街道号弄室栋楼村]/;

/** A Chinese address without a cue: a city or province, then a district, road or number. */
const ADDRESS_ZH_FULL = /[\u4e00-\u9fa5]{1,8}(?:省|市|自治区)[\u4e00-\u9fa5A-Za-z0-9-]{0,40}?(?:区|县|路|街|道|号|弄|室|栋|楼|村|镇)[\u4e00-\u9fa5A-Za-z0-9-]*/;

export function extractAddress(text: string): string | undefined {
  const zh = ADDRESS_ZH_CUE.exec(text);
  if (zh && ADDRESS_ZH_MARK.test(zh[1]!)) return zh[1];
  const zhFull = ADDRESS_ZH_FULL.exec(text);
  if (zhFull) return zhFull[0];
  const en = ADDRESS_EN.exec(text);
  return en ? en[0].trim().replace(/[,.\s]+$/, '') : undefined;
}

const PRODUCTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/washing machine|washer|洗衣机/i, 'washing machine'],
  [/dishwasher|洗碗机/i, 'dishwasher'],
  [/fridge|refrigerator|冰箱/i, 'refrigerator'],
  [/air ?con(?:ditioner)?|\bac\b|空调/i, 'air conditioner'],
  [/water heater|热水器/i, 'water heater'],
  [/microwave|微波炉/i, 'microwave'],
  [/\boven\b|\bstove\b|烤箱|灶/i, 'oven'],
  [/vacuum|吸尘器|扫地机/i, 'vacuum cleaner'],
  [/\btv\b|television|电视/i, 'TV'],
  [/laptop|notebook|computer|\bpc\b|电脑|笔记本/i, 'laptop'],
  [/tablet|ipad|平板/i, 'tablet'],
  [/(?:smart)?phone|iphone|mobile|手机/i, 'phone'],
  [/smart ?watch|watch|手表/i, 'watch'],
  [/headphones?|earbuds?|earphones?|耳机/i, 'headphones'],
  [/router|路由器/i, 'router'],
  [/camera|相机|摄像头/i, 'camera'],
  [/printer|打印机/i, 'printer'],
  [/blender|榨汁机|破壁机/i, 'blender'],
  [/coffee (?:machine|maker)|咖啡机/i, 'coffee machine'],
  [/kettle|水壶/i, 'kettle'],
  [/toaster|grinder|mixer|air fryer|purifier|humidifier|dryer|\bfan\b|heater|烤面包机|电风扇|加湿器|净化器|烘干机/i, 'appliance'],
  [/speakers?|soundbar|音箱|音响/i, 'speaker'],
  [/sofa|couch|mattress|\bbed\b|bed frame|\bdesk\b|\bchair\b|bookshel(?:f|ves)|shel(?:f|ves)|\btable\b|\brug\b|\blamp\b|沙发|床垫|桌子|椅子|书架|台灯|地毯/i, 'furniture'],
  [/jacket|coat|shirt|t-shirt|dress|jeans|trousers|pants|sweater|hoodie|shoes|sneakers|boots|外套|衬衫|裙子|裤子|毛衣|鞋/i, 'clothing'],
];

export function extractProduct(text: string): string | undefined {
  return PRODUCTS.find(([re]) => re.test(text))?.[1];
}

/**
 * Every entity the message carries. Absent entities are left out, so the
 * result is JSON-safe and compact.
 *
 * @example extractEntities('refund $250 on order 100000000001 to store credit')
 *   // { orderNumber: '100000000001', amount: { value: 250, currency: 'USD' }, refundMethod: 'store_credit' }
 */
export function extractEntities(text: string): Entities {
  const entities: Entities = {};
  const candidates: Entities = {
    orderNumber: extractOrderNumber(text),
    amount: extractAmount(text),
    phone: extractPhone(text),
    email: extractEmail(text),
    reason: extractReason(text),
    refundMethod: extractRefundMethod(text),
    address: extractAddress(text),
    returnType: extractReturnType(text),
    product: extractProduct(text),
  };
  for (const [key, value] of Object.entries(candidates) as [keyof Entities, Entities[keyof Entities]][]) {
    if (value !== undefined) (entities as Record<string, unknown>)[key] = value;
  }
  return entities;
}
