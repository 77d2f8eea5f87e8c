import { featurize } from '../../src/nlu/features';
import { normalizePlaceholders } from '../../src/nlu/placeholders';
import { IntentModel } from '../../src/nlu';

const words = (text: string): string[] => normalizePlaceholders(text).split(/\s+/).filter(Boolean);

describe('normalizePlaceholders', () => {
  test.each([
    ['where is {{order number}}'],
    ['where is [order number]'],
    ['where is <order_number>'],
    ['where is {order_id}'],
    ['where is order_number'],
    ['where is %order_number%'],
    ['where is #ord-77812'],
    ['where is a-20931'],
    ['where is 4471-2290-1183'],
    ['where is 4471 2290 1183'],
  ])('%s → the order token', (text) => {
    expect(words(text)).toEqual(['where', 'is', '#order']);
  });

  test('amounts and phone placeholders become a number, emails an email token', () => {
    expect(words('refund {{currency symbol}}{{refund amount}}')).toEqual(['refund', '#num']);
    expect(words('refund [amount] please')).toEqual(['refund', '#num', 'please']);
    expect(words('mail me at j.wong@acme.io')).toEqual(['mail', 'me', 'at', '#email']);
    expect(words('my email is <email>')).toEqual(['my', 'email', 'is', '#email']);
  });

  test('names, cities and account types carry no intent and vanish in every style', () => {
    expect(words('invoice from {{person name}}')).toEqual(['invoice', 'from']);
    expect(words('invoice from [person name]')).toEqual(['invoice', 'from']);
    expect(words('switch to the <account_type> account')).toEqual(['switch', 'to', 'the', 'account']);
    expect(words('ship to {delivery_city}')).toEqual(['ship', 'to']);
  });

  test('unknown bracketed words are prose and stay; unknown double braces are still slots', () => {
    expect(normalizePlaceholders('it said [sic] <3')).toBe('it said [sic] <3');
    expect(normalizePlaceholders('<b>bold</b>')).toBe('<b>bold</b>');
    expect(words('about {{warranty plan}}')).toEqual(['about']);
    expect(normalizePlaceholders('error code 402, call 555-201-7788')).toBe('error code 402, call 555-201-7788');
  });
});

describe('placeholder styles in the model', () => {
  const model = IntentModel.load();

  test('every style gives the features of the Bitext style', () => {
    const bitext = featurize('cancel order {{order number}}');
    for (const style of ['cancel order [order number]', 'cancel order <order_number>', 'cancel order #ord-88231', 'cancel order 4471-2290-1183']) {
      expect(featurize(style)).toEqual(bitext);
    }
  });

  test('the shipped model reads other placeholder styles like Bitext\'s', () => {
    expect(model.rank('i want to track [Order Number]')[0]!.intent).toBe('track_order');
    expect(model.rank('help me cancel purchase <order_number>')[0]!.intent).toBe('cancel_order');
  });
});
