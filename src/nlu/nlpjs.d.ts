/**
 * Type declarations for the parts of nlp.js the classifier uses; the packages
 * ship plain JavaScript without types.
 */
declare module '@nlpjs/neural' {
  export interface NeuralNetworkSettings {
    iterations?: number;
    errorThresh?: number;
    deltaErrorThresh?: number;
    learningRate?: number;
    momentum?: number;
    alpha?: number;
    log?: boolean | ((status: TrainingStatus, ms: number) => void);
  }
  export interface TrainingStatus {
    error: number;
    deltaError: number;
    iterations: number;
  }
  export interface NeuralNetworkJson {
    settings: NeuralNetworkSettings;
    features?: string[];
    intents?: string[];
    perceptrons?: number[][];
  }
  export interface TrainingSample {
    input: Record<string, number>;
    output: Record<string, number>;
  }
  export class NeuralNetwork {
    constructor(settings?: NeuralNetworkSettings);
    train(corpus: TrainingSample[]): TrainingStatus;
    run(input: Record<string, number>): Record<string, number> | undefined;
    toJSON(): NeuralNetworkJson;
    fromJSON(json: NeuralNetworkJson): void;
  }
}

declare module '@nlpjs/lang-en-min' {
  export class StemmerEn {
    constructor();
    stem(tokens: string[]): string[];
  }
}
