/**
 * Small English/Chinese word cues the policy needs in context, as a backstop
 * to the understanding step: a bare "yes" after a confirmation question, or
 * "store credit" after "how would you like to be refunded?". They only read
 * text the understanding step already normalized (half-width, trimmed).
 */
import type { RefundMethod } from '../tools/types';

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
