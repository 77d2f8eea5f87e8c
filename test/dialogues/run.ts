/**
 * Runs a multi-turn dialogue as the workflow does, without Temporal: the real
 * understanding pipeline (rules + shipped model, no LLM), the real policy, and
 * the sample commerce backend's own store and business rules for the tools
 * (a fresh store per dialogue). Used by the dialogue table test and by
 * `npm run bench:classify` for the share of "didn't catch that" turns.
 */
import { afterTool, decide, initialState, recordCustomerMessage, resolvePolicy, understandInputFor, type Action, type ConversationState, type DecideOptions, type ToolCall, type ToolOutcome } from '../../src/domain';
import { defaultSeed } from '../../src/commerce/seed';
import { CommerceError, CommerceStore } from '../../src/commerce/store';
import { createUnderstander } from '../../src/nlu';
import type { Understander } from '../../src/nlu/types';
import type { Customer, Escalation, Language, PolicyConfig } from '../../src/workflows/contract';

/** The day the seed was written for: replies show the seed's own dates. */
export const DIALOGUE_NOW = '2025-06-01T10:00:00.000Z';

export const CUSTOMERS = {
  alice: { id: 'cust-1001', name: 'Alice Johnson', tier: 'regular' },
  bob: { id: 'cust-1002', name: 'Bob Smith', tier: 'regular' },
  victoria: { id: 'cust-vip-1', name: 'Victoria Park', tier: 'vip' },
  wang: { id: 'cust-cn-1', name: '王小明', tier: 'regular' },
  lina: { id: 'cust-cn-vip', name: '李娜', tier: 'vip' },
  anon: { id: 'anon-dialogue', tier: 'regular', anonymous: true },
} as const satisfies Record<string, Customer>;

export type CustomerName = keyof typeof CUSTOMERS;

export interface TurnLog {
  text: string;
  intent: string;
  confidence: number;
  templates: string[];
  replies: string[];
}

export interface DialogueRun {
  state: ConversationState;
  turns: TurnLog[];
  /** Every tool call, in order. */
  calls: ToolCall[];
  escalation?: Escalation;
  store: CommerceStore;
}

let shared: Understander | undefined;
export function understander(): Understander {
  shared ??= createUnderstander();
  return shared;
}

function storeTools(store: CommerceStore) {
  return (call: ToolCall): ToolOutcome => {
    try {
      switch (call.tool) {
        case 'getOrder':
          return { ok: true, result: store.getOrder(call.input.orderNumber) };
        case 'trackShipment':
          return { ok: true, result: store.getShipment(call.input.orderNumber) };
        case 'submitRefund':
          return { ok: true, result: store.submitRefund(call.input) };
        case 'createReturn':
          return { ok: true, result: store.createReturn(call.input) };
        case 'createRepair':
          return { ok: true, result: store.createRepair(call.input) };
        case 'changeAddress':
          return { ok: true, result: store.changeAddress(call.input) };
        case 'cancelOrder':
          return { ok: true, result: store.cancelOrder(call.input) };
        case 'createTicket':
          return { ok: true, result: store.createTicket(call.input) };
        case 'verifyOrderContact':
          return { ok: true, result: store.verifyContact(call.input) };
      }
    } catch (err) {
      if (err instanceof CommerceError) return { ok: false, error: err.status === 404 ? 'not_found' : 'bad_request', code: err.code };
      throw err;
    }
  };
}

export async function runDialogue(
  who: CustomerName,
  language: Language,
  texts: readonly string[],
  policy: PolicyConfig = resolvePolicy(),
  /** As a run recorded before a patch decides (default: this release). */
  options?: DecideOptions,
): Promise<DialogueRun> {
  const nlu = understander();
  const store = new CommerceStore(defaultSeed(new Date(DIALOGUE_NOW)), () => new Date(DIALOGUE_NOW));
  const tools = storeTools(store);
  let state = initialState({ conversationId: `dialogue-${who}`, customer: { ...CUSTOMERS[who] }, locale: language }, DIALOGUE_NOW);
  const run: DialogueRun = { state, turns: [], calls: [], store };
  for (const [i, text] of texts.entries()) {
    if (state.phase !== 'ai') break;
    const rec = recordCustomerMessage(state, { messageId: `m${i}`, text }, DIALOGUE_NOW);
    if (rec.kind === 'recorded') state = { ...rec.state, inbox: [] };
    const u = await nlu.understand(understandInputFor(state, text));
    const d = decide(state, u, policy, DIALOGUE_NOW, options);
    state = d.state;
    const queue: Action[] = [...d.actions];
    const log: TurnLog = { text, intent: u.intent, confidence: u.confidence, templates: [], replies: [] };
    for (let n = 0; n < 20 && queue.length > 0; n++) {
      const a = queue.shift()!;
      if (a.kind === 'reply') {
        log.templates.push(a.template);
        log.replies.push(a.text);
      } else if (a.kind === 'callTool') {
        run.calls.push(a.call);
        const r = afterTool(state, a.call, tools(a.call), policy, DIALOGUE_NOW);
        state = { ...r.state, toolCalls: [...r.state.toolCalls, r.record] };
        queue.unshift(...r.actions);
      } else if (a.kind === 'escalate') {
        run.escalation = a.escalation;
        state = { ...state, phase: 'queued', escalation: a.escalation };
      }
    }
    run.turns.push(log);
  }
  run.state = state;
  return run;
}
