import {
  afterTool,
  decide,
  initialState,
  recordCustomerMessage,
  resolvePolicy,
  type Action,
  type ConversationState,
  type ToolCall,
  type ToolOutcome,
} from '../../src/domain';
import type { Customer, Entities, Escalation, Intent, Language, PolicyConfig, Understanding } from '../../src/workflows/contract';
import { defaultSeed } from '../../src/commerce/seed';
import { CommerceStore } from '../../src/commerce/store';

export const NOW = '2025-06-01T10:00:00.000Z';
export const policy = resolvePolicy();

export function customer(tier: Customer['tier'] = 'regular'): Customer {
  return { id: `cust-${tier}`, name: tier === 'vip' ? 'Victoria Park' : 'Alice Johnson', tier };
}

export function fresh(tier: Customer['tier'] = 'regular', locale: Language = 'en'): ConversationState {
  return initialState({ conversationId: 'conv-1', customer: customer(tier), locale }, NOW);
}

/** An understanding as the NLU would return it; defaults: confident, neutral, English. */
export function u(intent: Intent, text: string, extra: Partial<Omit<Understanding, 'entities'>> & { entities?: Entities } = {}): Understanding {
  return {
    intent,
    confidence: 0.95,
    layer: 'rule',
    entities: {},
    emotion: 'neutral',
    language: /[\u4e00-\u9fff]/.test(text) ? 'zh' : 'en',
    humanRequested: false,
    normalizedText: text,
    ...extra,
  };
}

/** The seed as of NOW, so dates in replies are the ones written in src/commerce/seed.ts. */
export const seed = defaultSeed(new Date(NOW));
const contacts = new CommerceStore(seed);

/**
 * Tool fake backed by the seed data; `override` replaces the outcome of chosen tools.
 * `owners: 'conversation'` (the default) hands every order to the conversation's
 * customer, for tests about the dialogue itself; `'seed'` keeps the seed's real
 * owners, for the tests about who may see which order.
 */
export function seededTools(override: Partial<Record<ToolCall['tool'], ToolOutcome>> = {}, options: { owners?: 'conversation' | 'seed' } = {}) {
  const calls: ToolCall[] = [];
  const run = (call: ToolCall, customerId?: string): ToolOutcome => {
    calls.push(call);
    const forced = override[call.tool];
    if (forced) return forced;
    const orderNumber = 'orderNumber' in call.input ? call.input.orderNumber : undefined;
    const found = seed.orders.find((o) => o.orderNumber === orderNumber);
    const order = found && options.owners !== 'seed' && customerId ? { ...found, customerId } : found;
    switch (call.tool) {
      case 'getOrder':
        return order ? { ok: true, result: order } : { ok: false, error: 'not_found' };
      case 'trackShipment': {
        const s = seed.shipments.find((x) => x.orderNumber === orderNumber);
        return s ? { ok: true, result: s } : { ok: false, error: 'not_found' };
      }
      case 'submitRefund':
        return order
          ? { ok: true, result: { refundId: 'RF-1', orderNumber: order.orderNumber, status: 'submitted', amount: order.total, method: call.input.method } }
          : { ok: false, error: 'not_found' };
      case 'createReturn':
        return { ok: true, result: { rmaId: 'RMA-1', orderNumber: call.input.orderNumber, type: call.input.type, status: 'created', instructions: 'Print the label we emailed you.' } };
      case 'createRepair':
        return { ok: true, result: { repairId: 'RP-1', orderNumber: call.input.orderNumber, status: 'scheduled' } };
      case 'changeAddress':
        return { ok: true, result: { orderNumber: call.input.orderNumber, shippingAddress: call.input.address, status: 'updated' } };
      case 'cancelOrder':
        return { ok: true, result: { orderNumber: call.input.orderNumber, status: 'cancelled' } };
      case 'createTicket':
        return { ok: true, result: { ticketId: 'TK-1', status: 'open' } };
      case 'verifyOrderContact':
        return order ? { ok: true, result: contacts.verifyContact(call.input) } : { ok: false, error: 'not_found' };
    }
  };
  return { run, calls };
}

export interface TurnResult {
  state: ConversationState;
  replies: string[];
  templates: string[];
  escalation?: Escalation;
  closed?: string;
  actions: Action[];
}

let messageCounter = 0;

/** One customer turn through the pure policy, with tool calls answered by `tools` (as the workflow does). */
export function turn(
  state: ConversationState,
  understanding: Understanding,
  tools = seededTools(),
  p: PolicyConfig = policy,
): TurnResult {
  const rec = recordCustomerMessage(state, { messageId: `m-${++messageCounter}`, text: understanding.normalizedText }, NOW);
  let s = rec.kind === 'recorded' ? { ...rec.state, inbox: [] } : state;
  const d = decide(s, understanding, p, NOW);
  s = d.state;
  const queue = [...d.actions];
  const all: Action[] = [];
  const result: TurnResult = { state: s, replies: [], templates: [], actions: all };
  for (let i = 0; i < 20 && queue.length > 0; i++) {
    const a = queue.shift()!;
    all.push(a);
    if (a.kind === 'reply') {
      result.replies.push(a.text);
      result.templates.push(a.template);
    } else if (a.kind === 'callTool') {
      const r = afterTool(s, a.call, tools.run(a.call, s.customer.id), p, NOW);
      s = { ...r.state, toolCalls: [...r.state.toolCalls, r.record] };
      queue.unshift(...r.actions);
    } else if (a.kind === 'escalate') {
      result.escalation = a.escalation;
    } else if (a.kind === 'close') {
      result.closed = a.resolution;
    }
  }
  result.state = s;
  return result;
}
