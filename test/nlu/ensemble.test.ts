import { bayesDistribution, combine, networkDistribution } from '../../src/nlu/ensemble';
import { ENSEMBLE_WEIGHTS, IntentModel } from '../../src/nlu/model';

const sum = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

describe('networkDistribution', () => {
  test('rectifies and normalizes the outputs', () => {
    const d = networkDistribution({ track_order: 0.9, cancel_order: 0.3, review: -0.4 })!;
    expect(d.get('track_order')).toBeCloseTo(0.75);
    expect(d.get('cancel_order')).toBeCloseTo(0.25);
    expect(d.get('review')).toBe(0);
  });

  test('all outputs at or below zero: no distribution', () => {
    expect(networkDistribution({ track_order: 0, review: -1 })).toBeUndefined();
  });
});

describe('bayesDistribution', () => {
  test('a tempered softmax over base-2 log-odds, summing to 1', () => {
    const d = bayesDistribution([
      ['a', 10],
      ['b', 0],
    ], 1)!;
    expect(sum(d)).toBeCloseTo(1);
    // 10 bits of odds at temperature 1: 1024 : 1.
    expect(d.get('a')! / d.get('b')!).toBeCloseTo(1024, 0);
  });

  test('a lower temperature flattens the distribution', () => {
    const odds: Array<[string, number]> = [
      ['a', 40],
      ['b', 30],
    ];
    expect(bayesDistribution(odds, 0.1)!.get('a')!).toBeLessThan(bayesDistribution(odds, 1)!.get('a')!);
  });

  test('no known feature (all odds 0 or none): no distribution', () => {
    expect(bayesDistribution([], 1)).toBeUndefined();
    expect(bayesDistribution([['a', 0]], 1)).toBeUndefined();
  });
});

describe('combine', () => {
  const nn = new Map([
    ['track_order', 0.55],
    ['delivery_period', 0.45],
  ]);
  const nb = new Map([
    ['track_order', 0.1],
    ['delivery_period', 0.9],
  ]);

  test('weighted average decides: naive Bayes can overturn a close network call', () => {
    const ranked = combine(nn, nb, { network: 0.6, bayesTemperature: 1 }, 1);
    expect(ranked[0]!.intent).toBe('delivery_period');
    expect(ranked[0]!.confidence).toBeCloseTo(0.6 * 0.45 + 0.4 * 0.9);
  });

  test('network weight 1 is the network alone', () => {
    expect(combine(nn, nb, { network: 1, bayesTemperature: 1 }, 1)[0]).toEqual({ intent: 'track_order', confidence: 0.55 });
  });

  test('a missing side leaves the other to decide', () => {
    expect(combine(undefined, nb, { network: 0.6, bayesTemperature: 1 }, 0)[0]!.intent).toBe('delivery_period');
    expect(combine(nn, undefined, { network: 0.6, bayesTemperature: 1 }, 1)[0]!.intent).toBe('track_order');
  });

  test('confidence is scaled by how strongly the network fired, capped at 1', () => {
    const weak = combine(nn, nb, ENSEMBLE_WEIGHTS, 0.5)[0]!;
    const strong = combine(nn, nb, ENSEMBLE_WEIGHTS, 3)[0]!;
    expect(weak.intent).toBe(strong.intent);
    expect(weak.confidence).toBeCloseTo(strong.confidence / 2);
    expect(strong.confidence).toBeLessThanOrEqual(1);
  });
});

describe('shipped ensemble', () => {
  const model = IntentModel.load();

  test('the model file carries both classifiers', () => {
    expect(typeof model.file.bayes).toBe('string');
    expect(model.scores('where is my order').bayesOdds[0]![0]).toBe('track_order');
  });

  test('scores are copies: a later message does not change an earlier one', () => {
    const first = model.scores('where is my order');
    const before = { ...first.network };
    model.scores('i want to delete my account');
    expect(first.network).toEqual(before);
  });

  test('ranking with network weight 1 is the network alone', () => {
    const texts = ['where is my order', 'how long does shipping take to Leeds', 'i was charged twice for the same thing'];
    for (const text of texts) {
      const scores = model.scores(text);
      const nnOnly = model.rankScores(scores, { network: 1, bayesTemperature: 1 })[0]!;
      const top = Object.entries(scores.network).sort((a, b) => b[1] - a[1])[0]!;
      expect(nnOnly.intent).toBe(top[0]);
    }
  });
});
