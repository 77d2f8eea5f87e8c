/**
 * The cap on explicit human-transfer requests per conversation.
 *
 * The workflow decides escalation; the gateway only stops a customer from
 * bouncing the desk forever (ask for a human, get released to the AI, ask
 * again…). The count comes from the workflow's transcript — the gateway keeps
 * no state — so it is the same on every gateway and survives reconnects:
 * when a new message is an explicit request for a person and the transcript
 * already holds `MAX_HUMAN_REQUESTS` such customer messages, the message is
 * refused with `human_request_limit` and never reaches the workflow. Other
 * messages are unaffected, so the customer can still talk.
 */
import { isHumanRequest } from '../nlu/human';
import { matchForm, normalize } from '../nlu/normalize';
import type { TranscriptEntry } from '../workflows/contract';

export type HumanRequestDetector = (text: string) => boolean;

/**
 * The NLU's own explicit-request rules (English and Chinese), on the same
 * normalized form the workflow's understanding step uses, so the gateway
 * counts exactly the messages that can escalate.
 */
export const detectHumanRequest: HumanRequestDetector = (text) => isHumanRequest(matchForm(normalize(text)));

/** How many earlier customer messages in the transcript asked for a human (other than `exceptMessageId`). */
export function countHumanRequests(
  transcript: TranscriptEntry[],
  detector: HumanRequestDetector,
  exceptMessageId?: string,
): number {
  return transcript.filter((e) => e.from === 'customer' && e.messageId !== exceptMessageId && detector(e.text)).length;
}
