/**
 * Slot schemas: what each task needs before its tool can run, and how a slot
 * value is read out of one understood customer turn.
 *
 * Only entities the understanding step extracted, or the customer's own words
 * for a free-text slot the bot just asked for, ever become slot values: the
 * policy never guesses an order number.
 */
import type { Intent, ToolName, Understanding } from '../workflows/contract';
import { maskCardNumbers, maskIdNumbers } from '../privacy/sensitive-numbers';
import { isBareYesNoText, parseRefundMethod, parseReturnType, reasonAfterBecause } from './cues';

export const SLOT_NAMES = ['orderNumber', 'reason', 'refundMethod', 'returnType', 'description', 'address'] as const;
export type SlotName = (typeof SLOT_NAMES)[number];
export type Slots = Partial<Record<SlotName, string>>;

export interface SlotSchema {
  /** Asked in this order, one at a time. */
  slots: readonly SlotName[];
  /** The tool that completes the task. */
  tool: ToolName;
  /** Side effects need the customer's explicit yes first. */
  sideEffect: boolean;
  /** Look the order up before asking the rest (amount checks, early "not found"). */
  verifyOrder: boolean;
}

export const SLOT_SCHEMAS = {
  track_order: { slots: ['orderNumber'], tool: 'getOrder', sideEffect: false, verifyOrder: false },
  get_refund: { slots: ['orderNumber', 'reason', 'refundMethod'], tool: 'submitRefund', sideEffect: true, verifyOrder: true },
  return_exchange: { slots: ['orderNumber', 'returnType', 'reason'], tool: 'createReturn', sideEffect: true, verifyOrder: false },
  repair_request: { slots: ['orderNumber', 'description'], tool: 'createRepair', sideEffect: true, verifyOrder: false },
  change_shipping_address: { slots: ['orderNumber', 'address'], tool: 'changeAddress', sideEffect: true, verifyOrder: false },
  cancel_order: { slots: ['orderNumber'], tool: 'cancelOrder', sideEffect: true, verifyOrder: false },
  complaint: { slots: ['description'], tool: 'createTicket', sideEffect: true, verifyOrder: false },
} as const satisfies Record<string, SlotSchema>;

export type TaskIntent = keyof typeof SLOT_SCHEMAS;
export const TASK_INTENTS = Object.keys(SLOT_SCHEMAS) as TaskIntent[];

export function isTaskIntent(intent: Intent | undefined): intent is TaskIntent {
  return intent !== undefined && Object.prototype.hasOwnProperty.call(SLOT_SCHEMAS, intent);
}

export function schemaOf(intent: TaskIntent): SlotSchema {
  return SLOT_SCHEMAS[intent];
}

/** Slots still needed, in asking order. */
export function missingSlots(intent: TaskIntent, slots: Slots): SlotName[] {
  return schemaOf(intent).slots.filter((name) => !slots[name]);
}

export const ORDER_NUMBER = /^\d{12}$/;
const FREE_TEXT_SLOTS: readonly SlotName[] = ['reason', 'description', 'address'];
const MAX_SLOT_LENGTH = 500;

export function isFreeTextSlot(slot: SlotName): boolean {
  return FREE_TEXT_SLOTS.includes(slot);
}

/**
 * Slot values this turn states explicitly (entities, enumerations named in the
 * text), restricted to the slots `intent` uses. Free text is not taken here:
 * see {@link freeTextAnswer}.
 */
export function explicitSlots(intent: TaskIntent, u: Understanding): Slots {
  const wanted = schemaOf(intent).slots;
  const found: Slots = {};
  const e = u.entities;
  if (wanted.includes('orderNumber') && e.orderNumber && ORDER_NUMBER.test(e.orderNumber)) found.orderNumber = e.orderNumber;
  if (wanted.includes('refundMethod')) {
    const method = e.refundMethod ?? parseRefundMethod(u.normalizedText);
    if (method) found.refundMethod = method;
  }
  if (wanted.includes('returnType')) {
    const type = e.returnType ?? parseReturnType(u.normalizedText);
    if (type) found.returnType = type;
  }
  if (wanted.includes('reason')) {
    const reason = clean(e.reason) ?? clean(reasonAfterBecause(u.normalizedText));
    if (reason) found.reason = reason;
  }
  if (wanted.includes('address')) {
    const address = clean(e.address);
    if (address) found.address = address;
  }
  return found;
}

/**
 * The customer's words as the answer to a free-text slot the bot asked for.
 * Undefined for empty text or a bare yes/no. (A classifier's unsure "affirm"
 * on "质量有问题" is still an answer: only a confident or literal yes/no is not.)
 */
export function freeTextAnswer(slot: SlotName, u: Understanding): string | undefined {
  if (!isFreeTextSlot(slot)) return undefined;
  if (isBareYesNo(u)) return undefined;
  return clean(u.normalizedText);
}

/**
 * The answer to an awaited free-text slot inside a burst that also stated
 * other slots ("it arrived broken" + "store credit please" while the reason is
 * asked): the burst's messages that name no slot of `intent` and are not a
 * bare yes/no. Undefined when the turn was one message, or every message
 * named a slot.
 */
export function freeTextRemainder(intent: TaskIntent, u: Understanding): string | undefined {
  if (!u.segments || u.segments.length < 2) return undefined;
  const order = u.entities.orderNumber;
  const rest = u.segments.filter((segment) => {
    if (isBareYesNoText(segment) || (order !== undefined && segment.includes(order))) return false;
    return Object.keys(explicitSlots(intent, { ...u, normalizedText: segment, entities: {}, segments: undefined })).length === 0;
  });
  return rest.length > 0 ? clean(rest.join(' ')) : undefined;
}

/**
 * Only the literal words count: a classifier's confident "deny" on "不好用" or
 * "wrong colour" is the customer's reason, not a no.
 */
export function isBareYesNo(u: Understanding): boolean {
  return isBareYesNoText(u.normalizedText);
}

/**
 * Whether the opening message of a complaint or repair request already
 * describes the problem (long enough to be more than "I want to complain").
 */
export function isSubstantiveDescription(text: string): boolean {
  const cjk = (text.match(/[\u4e00-\u9fff]/g) ?? []).length;
  const words = text.split(/\s+/).filter((w) => /[A-Za-z]/.test(w)).length;
  return cjk >= 12 || words >= 8;
}

/**
 * A slot value as stored. Free-text slots travel to tools, confirmations and
 * the handover, so a card or identity number typed into a reason is masked
 * here, once, before it goes anywhere.
 */
function clean(value: string | undefined): string | undefined {
  const v = value === undefined ? undefined : maskIdNumbers(maskCardNumbers(value)).trim();
  if (!v) return undefined;
  return v.length > MAX_SLOT_LENGTH ? v.slice(0, MAX_SLOT_LENGTH) : v;
}
