/**
 * What happens after a business tool returns (or finally fails):
 * `afterTool(state, call, outcome, policy, now) → { state, actions, record }`.
 *
 * Replies about orders, shipments and requests are rendered only from the
 * tool's result. On failure the reply says plainly that the information could
 * not be retrieved and offers a human — it never fills the gap.
 */
import type { PolicyConfig, ToolCallRecord } from '../workflows/contract';
import type {
  AddressChangeResult,
  CancelResult,
  Order,
  RefundResult,
  RepairResult,
  ReturnResult,
  Shipment,
  TicketResult,
  VerifyContactResult,
} from '../tools/types';
import type { Decision, ToolCall, ToolOutcome } from './actions';
import type { ConversationState } from './state';
import { formatMoney, formatTime, labels, refusalTemplate, TOOL_ACTION } from './templates';
import { attempt, beginTurn, callTool, escalate, finish, isOrderVerified, proceed, rememberTask, reply, type Turn } from './turn';

export interface ToolDecision extends Decision {
  /** The factual record of this call, for the handover and the operators. */
  record: ToolCallRecord;
}

/** Orders on their way: tracking says more than the order record. */
const ON_THE_WAY: readonly Order['status'][] = ['shipped', 'in_transit'];

export function afterTool(
  state: ConversationState,
  call: ToolCall,
  outcome: ToolOutcome,
  policy: PolicyConfig,
  now: string,
): ToolDecision {
  const t = beginTurn(state, policy, now);
  const record: ToolCallRecord = { tool: call.tool, ok: outcome.ok, summary: '', at: now };
  if (outcome.ok) {
    record.summary = onSuccess(t, call, outcome.result);
  } else {
    record.summary = onFailure(t, call, outcome.error, outcome.attempts, outcome.code);
  }
  return { ...finish(t), record };
}

function onSuccess(t: Turn, call: ToolCall, result: unknown): string {
  const lang = t.ai.language;
  switch (call.tool) {
    case 'getOrder': {
      const order = result as Order;
      const summary = `order ${order.orderNumber}: ${order.status}, ${formatMoney(order.total)}`;
      const task = t.ai.task;
      if (call.purpose === 'verify' && task) {
        if (!t.state.customer.anonymous && order.customerId !== t.state.customer.id) {
          // Someone else's order: say nothing about it, ask for one of theirs.
          attempt(t, `Order ${order.orderNumber} is not on this customer's account`);
          delete task.slots.orderNumber;
          task.facts = {};
          task.awaiting = { kind: 'slot', slot: 'orderNumber' };
          t.failed = true;
          reply(t, 'order_not_yours', { orderNumber: order.orderNumber });
          return `order ${order.orderNumber}: belongs to another customer; nothing shown`;
        }
        task.facts = { order: { orderNumber: order.orderNumber, total: order.total, status: order.status } };
        if (task.intent === 'track_order' && isOrderVerified(t, order.orderNumber)) return trackOrder(t, order, summary);
        proceed(t, task);
        return summary;
      }
      return trackOrder(t, order, summary);
    }
    case 'verifyOrderContact': {
      const r = result as VerifyContactResult;
      const task = t.ai.task;
      if (!task || task.slots.orderNumber !== r.orderNumber) return `contact check for order ${r.orderNumber}: ${r.verified ? 'matched' : 'no match'}`;
      if (r.verified) {
        t.ai.verifiedOrders = [...(t.ai.verifiedOrders ?? []), r.orderNumber];
        attempt(t, `Customer verified for order ${r.orderNumber}`);
        task.awaiting = undefined;
        proceed(t, task);
        return `contact check for order ${r.orderNumber}: matched`;
      }
      const tries = (task.awaiting?.kind === 'verify' ? task.awaiting.tries : 0) + 1;
      t.failed = true;
      if (tries >= t.policy.maxVerificationAttempts) {
        attempt(t, `Could not verify the customer for order ${r.orderNumber} after ${tries} tries`);
        rememberTask(t, task, 'unverified');
        t.ai.task = undefined;
        escalate(t, ['verification_failed'], 'escalating_verification');
      } else {
        task.awaiting = { kind: 'verify', tries };
        reply(t, 'verification_mismatch', { orderNumber: r.orderNumber, triesLeft: String(t.policy.maxVerificationAttempts - tries) });
      }
      return `contact check for order ${r.orderNumber}: no match (${tries} of ${t.policy.maxVerificationAttempts})`;
    }
    case 'trackShipment': {
      const s = result as Shipment;
      const latest = [...s.events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).pop();
      reply(t, 'shipment_status', {
        orderNumber: s.orderNumber,
        carrier: carrierName(s, lang),
        trackingNumber: s.trackingNumber,
        shipmentStatusLabel: labels.shipmentStatus(s.status, lang),
        latest: latest ? eventText(latest, lang) : undefined,
        eta: s.estimatedDelivery,
      });
      completeTask(t);
      return `shipment ${s.trackingNumber} for order ${s.orderNumber}: ${s.status}`;
    }
    case 'submitRefund': {
      const r = result as RefundResult;
      const params = {
        refundId: r.refundId,
        orderNumber: r.orderNumber,
        amount: formatMoney(r.amount),
        refundMethodLabel: labels.refundMethod(r.method, lang),
        refundStatusLabel: labels.refundStatus(r.status, lang),
      };
      if (r.status === 'rejected') {
        reply(t, 'refund_rejected', params);
        t.ai.offeredHuman = true;
      } else {
        reply(t, 'refund_submitted', params);
      }
      completeTask(t);
      return `refund ${r.refundId} for order ${r.orderNumber}: ${r.status}, ${formatMoney(r.amount)}`;
    }
    case 'createReturn': {
      const r = result as ReturnResult;
      reply(t, 'return_created', { rmaId: r.rmaId, orderNumber: r.orderNumber, returnType: r.type, instructions: r.instructions });
      completeTask(t);
      return `${r.type} ${r.rmaId} for order ${r.orderNumber}: ${r.status}`;
    }
    case 'createRepair': {
      const r = result as RepairResult;
      reply(t, 'repair_created', { repairId: r.repairId, orderNumber: r.orderNumber, scheduledFor: r.scheduledFor ? formatTime(r.scheduledFor) : undefined });
      completeTask(t);
      return `repair ${r.repairId} for order ${r.orderNumber}: ${r.status}`;
    }
    case 'changeAddress': {
      const r = result as AddressChangeResult;
      reply(t, 'address_changed', { orderNumber: r.orderNumber, address: r.shippingAddress });
      completeTask(t);
      return `address of order ${r.orderNumber} updated`;
    }
    case 'cancelOrder': {
      const r = result as CancelResult;
      reply(t, 'order_cancelled', { orderNumber: r.orderNumber });
      completeTask(t);
      return `order ${r.orderNumber} cancelled`;
    }
    case 'createTicket': {
      const r = result as TicketResult;
      reply(t, 'ticket_created', { ticketId: r.ticketId });
      completeTask(t);
      return `ticket ${r.ticketId} (${call.input.kind}) opened`;
    }
  }
}

function trackOrder(t: Turn, order: Order, summary: string): string {
  const lang = t.ai.language;
  if (order.trackingNumber && ON_THE_WAY.includes(order.status)) {
    attempt(t, `Looked up tracking for order ${order.orderNumber}`);
    callTool(t, { tool: 'trackShipment', input: { orderNumber: order.orderNumber } });
    return summary;
  }
  reply(t, 'order_status', {
    orderNumber: order.orderNumber,
    statusLabel: labels.orderStatus(order.status, lang),
    total: formatMoney(order.total),
    placedAt: formatTime(order.placedAt),
    deliveredAt: order.deliveredAt ? formatTime(order.deliveredAt) : undefined,
  });
  completeTask(t);
  return summary;
}

const HAN = /\p{Script=Han}/u;

/** English replies carry English text only: the carrier's English name, or a neutral word. */
function carrierName(s: Shipment, lang: 'en' | 'zh'): string {
  if (lang === 'zh' || !HAN.test(s.carrier)) return s.carrier;
  return s.carrierEn ?? 'the carrier';
}

/** The latest tracking event in the reply's language when the carrier gave it; an English reply never shows Chinese text. */
function eventText(e: Shipment['events'][number], lang: 'en' | 'zh'): string {
  const when = formatTime(e.at);
  if (lang === 'zh' || (!HAN.test(e.location) && !HAN.test(e.description))) return `${when}, ${e.location}: ${e.description}`;
  return e.en ? `${when}, ${e.en.location}: ${e.en.description}` : when;
}

function onFailure(t: Turn, call: ToolCall, error: 'not_found' | 'bad_request' | 'unavailable', attempts?: number, code?: string): string {
  const orderNumber = 'orderNumber' in call.input ? call.input.orderNumber : undefined;
  const subject = orderNumber ? ` for order ${orderNumber}` : '';
  const action = TOOL_ACTION[call.tool];
  const task = t.ai.task;
  t.failed = true;

  if (error === 'not_found' && orderNumber && task?.slots.orderNumber === orderNumber) {
    attempt(t, `Order ${orderNumber} was not found`);
    delete task.slots.orderNumber;
    task.facts = {};
    reply(t, 'order_not_found', { orderNumber });
    task.awaiting = { kind: 'slot', slot: 'orderNumber' };
    return `${call.tool}${subject}: not found`;
  }

  if (error === 'unavailable') {
    t.ai.counters.toolFailures += 1;
    attempt(t, `${call.tool}${subject} failed: the system did not respond`);
    if (task) task.awaiting = undefined;
    if (t.ai.counters.toolFailures < t.policy.maxToolFailures) {
      reply(t, 'tool_unavailable', { actionEn: action.en, actionZh: action.zh }, { apologetic: true });
      t.ai.offeredHuman = true;
    }
    return `${call.tool}${subject}: no answer from the system${attempts ? ` after ${attempts} attempts` : ' after retries'}`;
  }

  // A definite "no" from the backend (bad request, or not found for something other than the order asked about).
  attempt(t, `${call.tool}${subject} was rejected by the system${code ? ` (${code})` : ''}`);
  if (task) task.awaiting = undefined;
  const refusal = refusalTemplate(code);
  if (refusal && orderNumber) {
    // The business reason in plain words: an answer, not a breakdown, so no apology and no failure count.
    const status = task?.facts.order?.orderNumber === orderNumber ? task.facts.order.status : undefined;
    reply(t, refusal, { orderNumber, statusLabel: status ? labels.orderStatus(status, t.ai.language) : undefined });
    if (task) rememberTask(t, task, 'dropped');
    t.ai.task = undefined;
    t.failed = false;
    t.ai.offeredHuman = true;
    return `${call.tool}${subject}: refused (${code})`;
  }
  reply(t, 'tool_rejected', { actionEn: action.en, actionZh: action.zh }, { apologetic: true });
  t.ai.offeredHuman = true;
  return `${call.tool}${subject}: rejected (${code ?? (error === 'not_found' ? 'not found' : 'bad request')})`;
}

/** The task is done; a task put aside for it is offered again. */
function completeTask(t: Turn): void {
  if (t.ai.task) attempt(t, `Completed ${t.ai.task.intent}`);
  t.ai.task = undefined;
  const suspended = t.ai.suspended;
  if (suspended) {
    t.ai.suspended = undefined;
    attempt(t, `Resumed ${suspended.intent}`);
    reply(t, 'resume_task', { intentLabel: labels.intent(suspended.intent, t.ai.language), orderNumber: suspended.slots.orderNumber });
    proceed(t, suspended);
  }
}

