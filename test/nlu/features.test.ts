import { createSpeller, featurize, vocabularyOf } from '../../src/nlu/features';
import { IntentModel } from '../../src/nlu';

describe('speller', () => {
  const speller = createSpeller({ cancel: 50, address: 40, installation: 9, order: 80, rare: 1, cart: 5 });

  test('one edit away from a frequent training word: corrected', () => {
    expect(speller('cancal')).toBe('cancel'); // substitution
    expect(speller('adrs')).toBe('adrs'); // two edits away: left alone
    expect(speller('adress')).toBe('address'); // insertion
    expect(speller('instalation')).toBe('installation'); // deletion
    expect(speller('odrer')).toBe('order'); // swapped neighbours
  });

  test('known, short, rare-target and non-alphabetic words stay as they are', () => {
    expect(speller('order')).toBe('order');
    expect(speller('car')).toBe('car');
    expect(speller('rarr')).toBe('rarr');
    expect(speller('c4ncel')).toBe('c4ncel');
  });

  test('vocabularyOf counts the words featurize reads', () => {
    expect(vocabularyOf(['where is my order', 'my order'])).toMatchObject({ my: 2, order: 2, where: 1 });
  });
});

describe('featurize', () => {
  test('carries a length bucket, so one-word answers differ from requests', () => {
    expect(featurize('yes')).toContain('n:1');
    expect(featurize('where is my order')).toContain('n:3-4');
    expect(featurize('i ordered a lamp nine days ago and the tracking page shows nothing at all')).toContain('n:9+');
  });

  test('a speller changes the word features', () => {
    const speller = createSpeller({ cancel: 10 });
    expect(featurize('cancal it', speller)).toContain('w:cancel');
    expect(featurize('cancal it')).not.toContain('w:cancel');
  });
});

describe('shipped model', () => {
  const model = IntentModel.load();

  test('a misspelled key word still finds its intent', () => {
    expect(model.rank('cancell my ordr')[0]!.intent).toBe('cancel_order');
    expect(model.rank('chnage shiping adres')[0]!.intent).toBe('change_shipping_address');
  });

});

describe('when every output is zero', () => {
  // Two intents, one feature; every weighted sum is negative, so the network outputs 0 for both.
  const tiny = IntentModel.fromNetwork({
    settings: {},
    features: ['w:foo'],
    intents: ['track_order', 'cancel_order'],
    perceptrons: [
      [-1, -0.5],
      [-2, -0.1],
    ],
  });

  test('the least negative weighted sum decides, at confidence 0', () => {
    expect(tiny.rank('foo')[0]).toEqual({ intent: 'track_order', confidence: 0 }); // -1.5 vs -2.1
    expect(tiny.rank('bar')[0]).toEqual({ intent: 'cancel_order', confidence: 0 }); // biases only: -0.5 vs -0.1
  });
});
