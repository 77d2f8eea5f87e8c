/**
 * The understanding step, an ordinary activity of the workflow (a local one
 * only in runs started before the no-local-activities patch). The NLU
 * pipeline owns its fallbacks (an LLM failure falls back to the local layers),
 * so this only adds logging.
 */
import type { Logger } from '../logger';
import type { UnderstandInput, Understander } from '../nlu/types';
import type { Understanding } from '../workflows/contract';
import { activityLogger, throwIfCancelled } from './context';
import { toFailure } from './failures';

export function createUnderstandActivity({ nlu, logger }: { nlu: Understander; logger: Logger }) {
  return {
    async understand(input: UnderstandInput): Promise<Understanding> {
      const started = Date.now();
      try {
        const result = await nlu.understand(input);
        activityLogger(logger).debug(
          {
            intent: result.intent,
            confidence: result.confidence,
            layer: result.layer,
            language: result.language,
            durationMs: Date.now() - started,
          },
          'understood',
        );
        return result;
      } catch (err) {
        throwIfCancelled(err);
        throw toFailure(err);
      }
    },
  };
}
