import { Writable } from 'node:stream';
import { createLogger, maskPersonalData } from '../../src/logger';

describe('maskPersonalData', () => {
  it.each([
    ['call me at 13812345678', 'call me at [phone]'],
    ['mail a.b@example.com now', 'mail [email] now'],
    ['card 4111 1111 1111 1111 please', 'card [card] please'],
    ['身份证 11010519491231002X', '身份证 [id]'],
    ['order 100000000001 is late', 'order 100000000001 is late'],
    ['card 4111-1111-1111-1111', 'card [card]'],
    ['card 4111111111111111 exp 12/27', 'card [card] exp 12/27'],
    ['mistyped card 4111 1111 1111 1112', 'mistyped card [card]'],
    ['amex 3782 822463 10005', 'amex [card]'],
    ['身份证号 110105 19491231 002X', '身份证号 [id]'],
    ['身份证 110105 1949 1231 002X', '身份证 [id]'],
    ['SSN 078-05-1120', 'SSN [id]'],
    ['order 100000000001 2 items', 'order 100000000001 2 items'],
  ])('%s', (input, expected) => {
    expect(maskPersonalData(input)).toBe(expected);
  });
});

describe('createLogger', () => {
  it('redacts tokens and masks personal data in text fields', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({ level: 'info', destination });
    log.info({ token: 'secret-token', text: 'my email is x@y.com' }, 'customer 13812345678 wrote');
    const out = lines.join('');
    expect(out).not.toMatch(/secret-token|x@y\.com|13812345678/);
    expect(out).toMatch(/\[redacted\]/);
    expect(out).toMatch(/\[email\]/);
  });
});

describe('pretty format', () => {
  it('prints readable lines and still redacts and masks', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({ level: 'info', format: 'pretty', destination });
    log.info({ token: 'secret-token', text: 'reach me at x@y.com' }, 'hello 13812345678');
    const out = lines.join('');
    expect(out).toMatch(/INFO.*hello \[phone\]/);
    expect(out).not.toMatch(/^\{/);
    expect(out).not.toMatch(/secret-token|x@y\.com|13812345678/);
  });
});
