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
import type { TranscriptEntry } from '../workflows/contract';

export type HumanRequestDetector = (text: string) => boolean;

// Full-width forms are folded first so "ＨＵＭＡＮ" counts like "human".
function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

const EN =
  /\b(human|real person|live (agent|person|chat)|(talk|speak|chat) (to|with) (an? |your )?(agent|person|someone|representative|operator)|customer service (agent|rep|representative)|representative)\b/;
const ZH = /(转人工|人工客服|人工服务|找人工|要人工|真人|转接客服|接人工)/;

/** Explicit requests for a person, English and Chinese. Deliberately narrow: a false positive refuses a message. */
export const detectHumanRequest: HumanRequestDetector = (text) => {
  const t = fold(text);
  return EN.test(t) || ZH.test(t);
};

/** How many earlier customer messages in the transcript asked for a human (other than `exceptMessageId`). */
export function countHumanRequests(
  transcript: TranscriptEntry[],
  detector: HumanRequestDetector,
  exceptMessageId?: string,
): number {
  return transcript.filter((e) => e.from === 'customer' && e.messageId !== exceptMessageId && detector(e.text)).length;
}
