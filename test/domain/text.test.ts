import { recordCustomerMessage } from '../../src/domain';
import { stripControlCharacters } from '../../src/domain/text';
import { fresh } from './helpers';

describe('stripControlCharacters', () => {
  it.each([
    ['a\u0000b', 'ab'],
    ['\u001b[2Jcleared', '[2Jcleared'],
    ['photo_\u202Egnp.exe', 'photo_gnp.exe'],
    ['\u2067عربى\u2069 and \u200Fmark', 'عربى and mark'],
    ['line1\r\nline2\rline3', 'line1\nline2\nline3'],
    ['tab\there', 'tab\there'],
    ['退款\u0085请', '退款请'],
    ['family 👨\u200D👩\u200D👧', 'family 👨\u200D👩\u200D👧'],
  ])('%j → %j', (input, expected) => expect(stripControlCharacters(input)).toBe(expected));
});

it('the workflow records customer text without them, whichever client sent the signal', () => {
  const r = recordCustomerMessage(fresh(), { messageId: 'm-1', text: ' refund\u0000 order \u202E100000000001 ' }, '2025-01-01T00:00:00.000Z');
  expect(r.kind).toBe('recorded');
  if (r.kind === 'recorded') expect(r.entry.text).toBe('refund order 100000000001');
});
