/**
 * Type declarations for the part of wink-naive-bayes-text-classifier the
 * ensemble uses; the package ships plain JavaScript without types.
 */
declare module 'wink-naive-bayes-text-classifier' {
  export interface NaiveBayesConfig {
    considerOnlyPresence?: boolean;
    /** Additive smoothing, 0–1. */
    smoothingFactor?: number;
  }
  export interface NaiveBayesTextClassifier {
    defineConfig(config: NaiveBayesConfig): boolean;
    definePrepTasks(tasks: Array<(input: unknown) => unknown>): number;
    learn(input: string | string[], label: string): boolean;
    consolidate(): boolean;
    /** Log base-2 odds of every label, best first; `[['unknown', 0]]` when no token is known. */
    computeOdds(input: string | string[]): Array<[string, number]>;
    predict(input: string | string[]): string;
    exportJSON(): string;
    importJSON(json: string): boolean;
  }
  function naiveBayesTextClassifier(): NaiveBayesTextClassifier;
  export = naiveBayesTextClassifier;
}
