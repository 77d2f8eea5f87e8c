/**
 * What the policy asks the workflow to do. The workflow executes actions in
 * order; a tool call's outcome goes back through `afterTool`, which may ask
 * for more.
 */
import type { Escalation, ToolName } from '../workflows/contract';
import type {
  AddressChangeRequest,
  CancelRequest,
  RefundRequest,
  RepairRequest,
  ReturnRequest,
  TicketRequest,
  VerifyContactRequest,
} from '../tools/types';
import type { ConversationState } from './state';
import type { TemplateKey } from './templates';

export type ToolCall =
  | { tool: 'getOrder'; input: { orderNumber: string }; purpose: 'verify' | 'track' }
  | { tool: 'trackShipment'; input: { orderNumber: string } }
  | { tool: 'submitRefund'; input: RefundRequest }
  | { tool: 'createReturn'; input: ReturnRequest }
  | { tool: 'createRepair'; input: RepairRequest }
  | { tool: 'changeAddress'; input: AddressChangeRequest }
  | { tool: 'cancelOrder'; input: CancelRequest }
  | { tool: 'createTicket'; input: TicketRequest }
  | { tool: 'verifyOrderContact'; input: VerifyContactRequest };

export const SIDE_EFFECT_TOOLS: readonly ToolName[] = [
  'submitRefund',
  'createReturn',
  'createRepair',
  'changeAddress',
  'cancelOrder',
  'createTicket',
];

export function hasSideEffect(tool: ToolName): boolean {
  return SIDE_EFFECT_TOOLS.includes(tool);
}

/**
 * How a tool call ended, as the workflow saw it after retries:
 * not_found / bad_request are the backend's definite answers (non-retryable),
 * unavailable means it never answered properly (5xx, timeouts) within the retry policy.
 */
export type ToolErrorKind = 'not_found' | 'bad_request' | 'unavailable';
/** `code` is the backend's own reason for a definite "no" (e.g. order_not_refundable), when it gave one. */
export type ToolOutcome = { ok: true; result: unknown } | { ok: false; error: ToolErrorKind; attempts?: number; code?: string };

export type Action =
  /** `text` is final template output; `facts` are the tool-sourced values the LLM may restate when phrasing. */
  | { kind: 'reply'; template: TemplateKey; text: string; facts?: Record<string, string> }
  | { kind: 'callTool'; call: ToolCall }
  | { kind: 'escalate'; escalation: Escalation }
  | { kind: 'close'; resolution: string };

export interface Decision {
  state: ConversationState;
  actions: Action[];
}
