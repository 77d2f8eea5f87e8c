/**
 * Small English/Chinese word cues the policy needs in context, as a backstop
 * to the understanding step: a bare "yes" after a confirmation question, or
 * "store credit" after "how would you like to be refunded?". They only read
 * text the understanding step already normalized (half-width, trimmed).
 */
import type { RefundMethod } from '../tools/types';
import type { PriorityCue } from '../workflows/contract';

const AFFIRM_EN = /^(yes|yeah|yep|yup|sure|ok|okay|correct|right|confirm(ed)?|go ahead|please do|do it|that'?s right|sounds good)\b/i;
const AFFIRM_ZH = /^(是|是的|对|对的|好|好的|可以|确认|没错|没问题|行|嗯)/;
const DENY_EN = /^(no|nope|nah|not really|don'?t|cancel|wrong|incorrect|that'?s wrong|never ?mind)\b/i;
const DENY_ZH = /^(不|不是|不对|不用|不要|错了|算了|取消)/;

const BARE_YES_NO_EN = /^(yes|yeah|yep|yup|sure|ok|okay|correct|right|confirm(ed)?|no|nope|nah|wrong|incorrect)( please| thanks)?[\s.!]*$/i;
const BARE_YES_NO_ZH = /^(是|是的|对|对的|好|好的|可以|确认|没错|没问题|行|嗯|不|不是|不对|不用|不要|错了|算了)[。！!.\s]*$/;

/** The whole message is just a yes or a no ("ok", "不对") — not an answer that merely starts with one ("wrong size"). */
export function isBareYesNoText(text: string): boolean {
  const t = text.trim();
  return BARE_YES_NO_EN.test(t) || BARE_YES_NO_ZH.test(t);
}

export function looksLikeAffirm(text: string): boolean {
  const t = text.trim();
  return AFFIRM_EN.test(t) || AFFIRM_ZH.test(t);
}

export function looksLikeDeny(text: string): boolean {
  const t = text.trim();
  return DENY_EN.test(t) || DENY_ZH.test(t);
}

export function parseRefundMethod(text: string): RefundMethod | undefined {
  if (/store credit|credit|balance|wallet|余额|店铺积分|购物金|礼品卡/i.test(text)) return 'store_credit';
  if (/bank|transfer|wire|银行|转账/i.test(text)) return 'bank_transfer';
  if (/original|same card|card|payment method|原路|原支付|原账户|信用卡|支付宝|微信/i.test(text)) return 'original_payment';
  return undefined;
}

export function parseReturnType(text: string): 'return' | 'exchange' | undefined {
  if (/exchange|swap|replace|换货|更换|换一个|换个/i.test(text)) return 'exchange';
  if (/\breturn|send (it )?back|退货|退回/i.test(text)) return 'return';
  return undefined;
}

/** "I want a refund because it arrived broken" → "it arrived broken". */
export function reasonAfterBecause(text: string): string | undefined {
  const m = /\b(?:because|since|as)\s+(.{3,})$/i.exec(text) ?? /(?:因为|由于|原因是)[:：]?\s*(.{2,})$/.exec(text);
  return m?.[1]?.trim().replace(/[.。!！]+$/, '') || undefined;
}

/** Which slot the customer names when asked what to change ("the reason", "换地址"). */
export function namedSlot(text: string): 'orderNumber' | 'reason' | 'refundMethod' | 'returnType' | 'address' | 'description' | undefined {
  if (/order number|order no|订单号/i.test(text)) return 'orderNumber';
  if (/reason|原因/i.test(text)) return 'reason';
  if (/method|refund to|退款方式|退到/i.test(text)) return 'refundMethod';
  if (/return or exchange|type|退货还是换货|换货|退货/i.test(text)) return 'returnType';
  if (/address|地址/i.test(text)) return 'address';
  if (/description|problem|问题|描述/i.test(text)) return 'description';
  return undefined;
}

const THANKS_EN = /^(?:(?:ok(?:ay)?|great|cool|perfect|alright)[\s,.!]*)?(?:thanks?|thank you|thx|ty|cheers|much appreciated)(?: (?:a lot|so much|very much|for (?:your|the) help|again))?[\s,.!~]*$/i;
const THANKS_ZH = /^(?:好的?|嗯|ok)?[\s,，。!！]*(?:谢谢(?:你|您)?|感谢(?:你|您)?|多谢|谢啦|谢了)(?:啦|了|哈|哦|呀|！|!|。|~|\s)*$/i;

/**
 * The whole message is a thank-you ("thanks", "谢谢您"). Politeness is neither
 * consent to a confirmation nor a greeting: the bot thanks back and keeps its
 * question open.
 */
export function isThanks(text: string): boolean {
  const t = text.trim();
  return THANKS_EN.test(t) || THANKS_ZH.test(t);
}

const CANCEL_EN = /^(?:(?:no|oh|ah|um+|hmm+|ok(?:ay)?|actually)[\s,.!]+)*(?:never ?mind|nevermind|forget (?:it|about it|that)|cancel (?:it|that|this)|stop|leave it|don'?t bother|no need|not anymore|skip it)\b/i;
const CANCEL_ZH = /^(?:(?:哦|嗯|那|那就|还是)[\s,，]*)?(?:算了|不用了|不要了|不需要了|不必了|取消吧|先不用|暂时不用|不弄了|不办了)/;

/** "算了", "不用了", "never mind": the customer calls the pending request off (not "no, change something"). */
export function isCallOff(text: string): boolean {
  const t = text.trim();
  return CANCEL_EN.test(t) || CANCEL_ZH.test(t);
}

const COMPENSATION_EN = /\b(?:compensat\w*|reimburse\w*|damages)\b|\b(?:demand|expect|deserve|owe me|want)\b.{0,40}(?:\$\s?\d+|\b\d+\s?(?:dollars|usd|bucks|euros?|pounds?)\b|\bvoucher|\bcoupon)|\bfor (?:my|the) (?:trouble|inconvenience)\b/i;
const COMPENSATION_ZH = /赔偿|补偿|赔钱|赔我|索赔|精神损失|要求.{0,6}\d+.{0,2}(?:元|块|美元)/;

/**
 * A demand for compensation ("I demand 500 dollars compensation", "你们必须赔偿我").
 * Compensation is a human decision: it must never turn into an automatic refund.
 */
export function isCompensationDemand(text: string): boolean {
  return COMPENSATION_EN.test(text) || COMPENSATION_ZH.test(text);
}

const REQUEST_EN = /\b(?:i (?:want|wanna|need|would like|'d like)|i'd like|can (?:you|i|u)|could (?:you|u)|would you|please|pls|how (?:do|can) i|help me|let me|i also|also|wait|actually|another (?:thing|order))\b/i;
const REQUEST_ZH = /我要|我想|我需要|帮我|能不能|能否|可不可以|可以帮|麻烦|请问|怎么|另外|还有|等一下|等等|顺便|再帮/;

/** Wording that opens a request of its own ("can you …", "我想…", "wait, …"), as opposed to answering a question. */
export function soundsLikeRequest(text: string): boolean {
  return REQUEST_EN.test(text) || REQUEST_ZH.test(text);
}

const QUESTION_EN = /\?\s*$|^(?:what|where|when|why|how|which|who|whose|is|are|do|does|did|can|could|will|would|should|may|have|has)\b/i;
const QUESTION_ZH = /[?？]\s*$|吗|呢|什么|怎么|为什么|多少|哪|几[个天号点]|是否|有没有|能不能|可不可以/;

/** Worded as a question ("how many points do I have", "运费多少"), as opposed to a statement. */
export function soundsLikeQuestion(text: string): boolean {
  return QUESTION_EN.test(text) || QUESTION_ZH.test(text);
}

/**
 * An email address or phone number typed in answer to "what's the email or
 * phone on the order?", as the backend will compare it. Phone numbers are
 * taken loosely (8 to 15 digits, any separators) because that is how people type them.
 */
export function contactIn(text: string): string | undefined {
  const email = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/.exec(text)?.[0];
  if (email) return email;
  const phone = /\+?\d[\d\s().-]{6,20}\d/.exec(text)?.[0];
  const digits = phone?.replace(/\D/g, '') ?? '';
  return digits.length >= 8 && digits.length <= 15 && !/^\d{12}$/.test(digits) ? phone : undefined;
}

const DAMAGE = /\b(?:broken|broke|cracked|crack|damaged|damage|dent(?:ed)?|scratch(?:ed|es)?|smashed|shattered|torn|ripped|leak(?:s|ing)?|faulty|defective|doesn'?t work|not working|stopped working|wrong (?:item|size|colou?r))\b|坏了|坏的|破了|碎了|裂了|裂开|划痕|刮花|凹陷|漏|损坏|破损|不能用|不工作|发错|错发/i;

/** The customer describes damage or a fault ("it arrived cracked", "屏幕碎了"). */
export function describesDamage(text: string): boolean {
  return DAMAGE.test(text);
}

/** "the first one" / "第二个" as an answer to a two-option clarifying question: 0, 1 or undefined. */
export function pickedOption(text: string): 0 | 1 | undefined {
  const t = text.trim();
  if (/^(?:the )?(?:first|1st|former|1)(?: one)?\b|^第一(?:个|种|项)?|^前者|^前面那个/i.test(t)) return 0;
  if (/^(?:the )?(?:second|2nd|latter|2)(?: one)?\b|^第二(?:个|种|项)?|^后者|^后面那个/i.test(t)) return 1;
  return undefined;
}

// ---------------------------------------------------------------------------
// Priority cues: words that make a conversation urgent whatever its intent
// ---------------------------------------------------------------------------

const LEGAL_EN =
  /\b(?:lawyers?|attorneys?|solicitors?|sue|suing|lawsuit|legal action|legal proceedings|(?:take|taking) (?:you|this|it) to court|see you in court|court (?:case|action|claim)|small claims|consumer protection|ombudsman|trading standards|report you to the (?:ftc|authorities|regulator))\b/i;
const LEGAL_ZH = /律师|起诉|法院|诉讼|打官司|告你们|告到|法律途径|法律责任|消协|消费者协会|12315|市场监管|工商局|仲裁|维权/;

const FAULT_EN =
  /\b(?:site|website|web ?site|app|application|system|server|checkout|payment page|login|log ?in page)\b[^.!?]{0,30}\b(?:is |are |keeps? )?(?:down|crash(?:es|ed|ing)?|not (?:working|loading|responding)|broken|throwing errors?|outage|unavailable|offline)\b|\b(?:outage|5\d\d error|internal server error)\b/i;
// A few characters may sit between the thing and the fault ("网站一直打不开", "系统又出错了").
const FAULT_ZH = /系统.{0,4}(?:故障|出错|错误|崩溃|崩了|挂了|异常)|(?:网站|网页|页面|官网).{0,4}(?:打不开|崩了|挂了|故障|进不去|加载不出)|(?:app|APP|应用|软件|客户端).{0,4}(?:闪退|崩溃|打不开|崩了)|闪退|服务器.{0,2}(?:错误|故障)|宕机|无法登录|登录不了|登不上/;

/** Legal words and reported system faults in one (normalized) customer message. */
export function priorityCues(text: string): PriorityCue[] {
  const cues: PriorityCue[] = [];
  if (LEGAL_EN.test(text) || LEGAL_ZH.test(text)) cues.push('legal');
  if (FAULT_EN.test(text) || FAULT_ZH.test(text)) cues.push('system_fault');
  return cues;
}
