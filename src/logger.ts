/**
 * Structured logging (pino) with redaction of secrets and personal data.
 *
 * Two layers: pino's `redact` removes known secret fields by path (tokens,
 * authorization headers, keys), and {@link maskPersonalData} masks phone
 * numbers, emails, id numbers and card numbers in every string of a record
 * (customer messages end up in log lines as `text`, `preview`, `msg`, and in
 * error messages).
 *
 * Entry points build their logger with `createProcessLogger`
 * (src/temporal/sdk-logging.ts), which also routes the Temporal SDK's and
 * core's records through it, so no line of any process escapes masking.
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { maskCardNumbers, maskIdNumbers } from './privacy/sensitive-numbers';

export type { Logger };

const REDACT_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'apiKey',
  '*.apiKey',
  'OPENAI_API_KEY',
  'INTEGRATION_KEY',
  'password',
  '*.password',
];

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// Phone numbers: +country, Chinese mobiles, and common 10-digit forms.
// Digit look-arounds keep 12-digit order numbers whole.
const PHONE = /(?<!\d)(?:\+\d{1,3}[ -]?)?\(?\d{3}\)?[ -]?\d{3,4}[ -]?\d{4}(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)/g;

/**
 * Masks personal data in free text: emails, identity numbers (Chinese
 * resident ids, also spaced; US SSNs), every card-shaped number (13–19
 * digits, grouped or not, Luhn or not: a mistyped card is still a card) and
 * phone numbers. Order numbers (exactly 12 digits) are kept: operators need
 * them and they identify no person.
 */
export function maskPersonalData(text: string): string {
  return maskPhones(maskCardNumbers(maskIdNumbers(text.replace(EMAIL, '[email]')), '[card]', { luhn: false }));
}

function maskPhones(text: string): string {
  return text.replace(PHONE, '[phone]');
}

/**
 * Every string in a log record is masked, whatever its key: the SDK's own
 * records carry customer text under keys we do not choose (failure
 * messages, activity errors). Errors become pino's usual `{ type, message,
 * stack }` with message and stack masked, since customer text ends up in
 * error messages too.
 */
function maskDeep(value: unknown, depth = 0): unknown {
  if (depth > 8) return value;
  if (typeof value === 'string') return maskPersonalData(value);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  if (value instanceof Error) return maskDeep(pino.stdSerializers.err(value), depth + 1);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1);
    return out;
  }
  return value;
}

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Write somewhere else than stdout (tests). */
  destination?: pino.DestinationStream;
  /**
   * 'json' (one object per line, for log shippers), 'pretty' (readable lines),
   * or 'auto': pretty when stdout is a terminal. Default: LOG_FORMAT or 'auto'.
   */
  format?: 'auto' | 'json' | 'pretty';
}

function wantsPretty(options: LoggerOptions): boolean {
  const chosen = options.format ?? (process.env.LOG_FORMAT as LoggerOptions['format']) ?? 'auto';
  // 'auto' only ever prettifies a terminal on stdout, never a caller's own destination.
  return chosen === 'pretty' || (chosen === 'auto' && !options.destination && process.stdout.isTTY === true);
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const opts: pino.LoggerOptions = {
    name: options.name ?? 'switchboard',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // The log formatter below has already turned errors into masked plain objects; keep them as they are.
    serializers: { err: (value: unknown) => (value instanceof Error ? maskDeep(value) : value) },
    formatters: {
      log: (obj) => maskDeep(obj) as Record<string, unknown>,
    },
    hooks: {
      // The message string itself can carry customer text.
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' ? maskPersonalData(a) : a)) as Parameters<
          typeof method
        >;
        method.apply(this, masked);
      },
    },
  };
  if (wantsPretty(options)) {
    // Redaction and masking run before the stream, so pretty output is as clean as JSON.
    const colorize = !options.destination && process.stdout.isTTY === true;
    return pino(
      opts,
      pretty({ colorize, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', destination: options.destination ?? 1, sync: true }),
    );
  }
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
