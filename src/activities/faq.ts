/** Self-service suggestions for a waiting customer, from the FAQ file the worker loaded. */
import { pickFaq, type FaqEntry } from '../faq';
import type { Intent, Language } from '../workflows/contract';

export interface SuggestFaqInput {
  intent?: Intent;
  language: Language;
  max?: number;
}

export function createFaqActivities({ faq }: { faq: readonly FaqEntry[] }) {
  return {
    async suggestFaq(input: SuggestFaqInput): Promise<string[]> {
      return pickFaq(faq, input.intent, input.language === 'zh' ? 'zh' : 'en', input.max ?? 2);
    },
  };
}
