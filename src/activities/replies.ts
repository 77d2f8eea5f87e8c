/**
 * LLM-backed wording: reply phrasing and the handover summary. Both degrade to
 * the deterministic text they were given, never to an error: a customer gets
 * the template reply and an agent the template summary when the LLM is off,
 * down, or says something the guardrails reject.
 */
import { Context } from '@temporalio/activity';
import type { Llm } from '../llm/types';
import type { Logger } from '../logger';
import type { Handover, Intent, Language, TranscriptEntry } from '../workflows/contract';
import { activityLogger, throwIfCancelled } from './context';

export interface PhraseReplyInput {
  draft: string;
  language: Language;
  intent?: Intent;
  /** Values the reply may mention (order number, amount, dates…): the guardrails allow these and the draft's. */
  facts?: Record<string, string>;
}

export interface SummarizeHandoverInput {
  handover: Handover;
  transcript: TranscriptEntry[];
}

export function createReplyActivities({ llm, logger }: { llm?: Llm; logger: Logger }) {
  return {
    async phraseReply(input: PhraseReplyInput): Promise<string> {
      if (!llm) return input.draft;
      const { cancellationSignal } = Context.current();
      const log = activityLogger(logger);
      try {
        const result = await llm.phrase(input.draft, input.language, input.facts, {
          intent: input.intent,
          signal: cancellationSignal,
        });
        if (!result.accepted) {
          log.warn({ rules: result.violations.map((v) => v.rule) }, 'LLM phrasing rejected by guardrails; using the draft');
        }
        return result.text;
      } catch (err) {
        // A cancelled turn (agent took over) must stay cancelled, not turn into a reply.
        throwIfCancelled(err);
        log.warn({ err: errorSummary(err) }, 'LLM phrasing failed; using the draft');
        return input.draft;
      }
    },

    async summarizeHandover(input: SummarizeHandoverInput): Promise<Handover> {
      if (!llm) return input.handover;
      const { cancellationSignal } = Context.current();
      const log = activityLogger(logger);
      try {
        const result = await llm.summarize(input.handover, input.transcript, { signal: cancellationSignal });
        if (!result.accepted) {
          log.warn({ rules: result.violations.map((v) => v.rule) }, 'LLM summary rejected by guardrails; using the template');
          return input.handover;
        }
        return { ...input.handover, summary: result.summary, recommendedAction: result.recommendedAction, source: 'llm' };
      } catch (err) {
        throwIfCancelled(err);
        log.warn({ err: errorSummary(err) }, 'LLM summary failed; using the template');
        return input.handover;
      }
    },
  };
}

function errorSummary(err: unknown): { name?: string; message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { message: String(err) };
}
