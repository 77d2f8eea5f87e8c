/**
 * Configuration, read once from the environment, typed and validated.
 *
 * `loadConfig()` throws a {@link ConfigError} that names every bad variable at
 * once, so an operator fixes them in one go. The config object holds secrets
 * (OpenAI key, integration key): never log it; log {@link describeConfig} instead.
 */
import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { parsePayloadKeys } from './temporal/codec';
import { FaqFileError, loadFaq } from './faq';
import { loadRouting, RoutingConfigError } from './routing/config';
import { DEFAULT_TASK_QUEUE } from './workflows/contract';

const port = z.coerce.number().int().min(0).max(65535);

/**
 * Ports that fetch (the worker's tool client, the OpenAI client) and every
 * browser refuse to connect to, by the Fetch standard's "bad port" list: a
 * service or demo page there fails with "fetch failed" / ERR_UNSAFE_PORT far
 * from its cause, so they are refused at start with a reason.
 */
export const FETCH_BLOCKED_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115,
  117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587,
  601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669,
  6679, 6697, 10080,
]);
const BLOCKED_PORT_MESSAGE = 'is a port that fetch and browsers refuse to connect to (the Fetch standard\'s "bad ports"); pick another';
const fetchablePort = port.refine((p) => !FETCH_BLOCKED_PORTS.has(p), BLOCKED_PORT_MESSAGE);
/** True unless `url` names a blocked port; a malformed URL is left to the URL check, which reports it. */
function fetchableUrl(url: string | undefined): boolean {
  if (url === undefined || !URL.canParse(url)) return true;
  return !FETCH_BLOCKED_PORTS.has(Number(new URL(url).port));
}
const positiveInt = z.coerce.number().int().positive();
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.string().url().optional())
  .optional();

/** A comma-separated list; blanks dropped, empty = []. */
const commaList = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

const fields = z.object({
  PORT: fetchablePort.default(3000),
  HOST: z.string().default('127.0.0.1'),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_UI_URL: optionalUrl,
  TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  /**
   * Which Temporal `npm start` runs when TEMPORAL_ADDRESS is unset: `dev` = Temporal's own dev server
   * (the CLI from `npm run temporal:install`, SQLite under DATA_DIR, Web UI), `embedded` = the in-memory
   * embedded server, `auto` = dev when the CLI is installed, else embedded.
   */
  LOCAL_TEMPORAL: z.enum(['auto', 'dev', 'embedded']).default('auto'),
  /** gRPC port of that local Temporal (0 = any free port); its Web UI listens on this port + 1000. EMBEDDED_TEMPORAL_PORT is the old name. */
  LOCAL_TEMPORAL_PORT: port.default(7233),
  /** Folder for local state: the dev server's SQLite file (DATA_DIR/temporal/dev-server.sqlite). */
  DATA_DIR: z.string().trim().min(1).default('.data'),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl.refine(fetchableUrl, `its ${BLOCKED_PORT_MESSAGE.replace('is a port', 'port is one')}`),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** A vision-capable model that describes customer photos at upload (what they show: damage, a wrong item, a label…); unset = photos are not described. Needs OPENAI_API_KEY. */
  OPENAI_VISION_MODEL: optionalString,
  /** Business tools backend; unset → `npm start` runs the sample commerce backend. */
  TOOLS_BASE_URL: optionalUrl.refine(fetchableUrl, `its ${BLOCKED_PORT_MESSAGE.replace('is a port', 'port is one')}`),
  COMMERCE_PORT: fetchablePort.default(4100),
  /** `npm run worker` serves Prometheus metrics (tool failures, intent layers) on this port; 0 = off. */
  WORKER_METRICS_PORT: port.default(9464),
  AGENTS_FILE: optionalString,
  /** Server-to-server key that lets POST /api/conversations set customer identity and tier. */
  INTEGRATION_KEY: optionalString,
  REDIS_URL: optionalUrl,
  /**
   * HMAC secret signing every event on the Redis bus (src/bus/signing.ts);
   * required with REDIS_URL, the same on every worker and gateway.
   */
  BUS_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  /** Comma-separated secrets still accepted on the bus while BUS_SECRET rotates. */
  BUS_SECRET_PREVIOUS: commaList,
  /** Comma-separated Origin allowlist for WebSockets; empty = any origin. */
  ALLOWED_ORIGINS: commaList,
  /**
   * Keys of the payload codec (src/temporal/codec.ts): `id:base64,id:base64`,
   * each 32 bytes. Every worker, gateway and tool reading histories needs the
   * same list. Unset: `npm start` keeps a key under DATA_DIR; the standalone
   * worker and gateway run without encryption and say so.
   */
  PAYLOAD_KEYS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      try {
        return parsePayloadKeys(v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** The key id that encrypts new payloads; default the first of PAYLOAD_KEYS. */
  PAYLOAD_KEY_ID: optionalString,
  /** auto = readable lines on a terminal, JSON otherwise. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Policy thresholds (see src/domain for their meaning). */
  REFUND_ESCALATION_AMOUNT: z.coerce.number().positive().default(200),
  MAX_AI_TURNS: positiveInt.default(15),
  IDLE_CLOSE_MINUTES: positiveInt.default(30),
  WAIT_LIMIT_MINUTES_VIP: positiveInt.default(1),
  WAIT_LIMIT_MINUTES_ENTERPRISE: positiveInt.default(5),
  WAIT_LIMIT_MINUTES_REGULAR: positiveInt.default(10),
  /** The window of every rate limit below (src/gateway/limits.ts). */
  RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(10),
  /** HTTP requests, WebSocket handshakes and customer frames per client IP per window (authenticated agents excepted). */
  RATE_LIMIT_PER_IP: positiveInt.default(100),
  /** Frames one customer may send per window over all their sockets; 3× that closes the socket (1008). */
  RATE_LIMIT_PER_CUSTOMER: positiveInt.default(20),
  /** HTTP requests and desk-socket frames per authenticated agent per window. */
  RATE_LIMIT_PER_AGENT: positiveInt.default(200),
  /**
   * Which proxies to believe about the client address (express "trust proxy"):
   * empty = none (the socket peer is the client), a number of hops, or
   * comma-separated addresses/subnets ("loopback", "10.0.0.0/8").
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .default('')
    .transform((v, ctx): false | number | string[] => {
      if (v === '' || v === 'false') return false;
      if (/^\d+$/.test(v)) return Number(v);
      const list = v.split(',').map((s) => s.trim()).filter(Boolean);
      try {
        proxyAddr.compile(list);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `not a hop count or address/subnet list: ${(error as Error).message}` });
        return z.NEVER;
      }
      return list;
    }),
  /** Explicit human-transfer requests one customer may make within HUMAN_REQUEST_WINDOW_MINUTES (across conversations); later ones are refused. */
  MAX_HUMAN_REQUESTS: positiveInt.default(3),
  /** The sliding window of MAX_HUMAN_REQUESTS, in minutes. */
  HUMAN_REQUEST_WINDOW_MINUTES: positiveInt.default(60),
  /** Routing file (skills, service hours, priorities, service levels, assignment); unset = the built-in defaults (src/routing/config.ts). */
  ROUTING_FILE: optionalString,
  /** Assignment strategy, overriding the routing file: round_robin | best_match | load_balance | mixed. */
  ROUTING_STRATEGY: optionalString.pipe(z.enum(['round_robin', 'best_match', 'load_balance', 'mixed']).optional()),
  /** How long an agent has to accept an offered conversation before it goes to the next agent. */
  OFFER_TIMEOUT_SECONDS: positiveInt.default(30),
  /** A queued customer with no open socket for this long leaves the queue (abandoned). */
  ABANDON_AFTER_SECONDS: positiveInt.default(120),
  /** Self-service answers for waiting customers; unset = config/faq.json. */
  FAQ_FILE: optionalString,
  /**
   * HMAC secret that signs customer tokens. Every gateway of one deployment
   * must share it; unset → a random per-process secret (tokens die with the
   * process, and a second gateway cannot verify them).
   */
  GATEWAY_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** How long a customer token stays valid. */
  CUSTOMER_TOKEN_TTL_MINUTES: positiveInt.default(24 * 60),
  /** Unclear turns in a row (clarifying questions, "didn't catch that") before the AI hands over. */
  MAX_UNCLEAR_TURNS: positiveInt.default(3),
  /** A business tool still running after this long gets a short "checking…" message to the customer. */
  TOOL_PROGRESS_MS: positiveInt.default(1500),
  /** Time one tool attempt may take (activity startToCloseTimeout; the HTTP timeout sits just below it). */
  TOOL_TIMEOUT_MS: z.coerce.number().int().min(1000).default(10_000),
  /** Wrong email/phone answers an anonymous customer gets per order before the AI stops and offers a human. */
  MAX_VERIFICATION_ATTEMPTS: positiveInt.default(3),
  /** When a VIP reaches a human: after_unresolved (first turn the AI cannot resolve), immediate, or upset (only when upset or complaining). */
  VIP_ESCALATION: z.enum(['after_unresolved', 'immediate', 'upset']).default('after_unresolved'),
  /** Largest customer photo accepted, in bytes. */
  IMAGE_MAX_BYTES: positiveInt.default(5 * 1024 * 1024),
  /** Where customer photos are kept, by content hash; unset → a folder under the system temp dir. */
  IMAGE_DIR: optionalString,
  /** Handle time the queue estimate assumes for a skill until enough conversations have been measured. */
  AVERAGE_HANDLE_SECONDS: positiveInt.default(180),
});

/** Rules that tie variables together; each issue names the variable to fix. */
const schema = fields.superRefine((c, ctx) => {
  if (c.PAYLOAD_KEY_ID && !c.PAYLOAD_KEYS.some((k) => k.id === c.PAYLOAD_KEY_ID)) {
    ctx.addIssue({ code: 'custom', path: ['PAYLOAD_KEY_ID'], message: 'names no key in PAYLOAD_KEYS' });
  }
  if (c.REDIS_URL && !c.BUS_SECRET) {
    ctx.addIssue({ code: 'custom', path: ['BUS_SECRET'], message: 'required when REDIS_URL is set: every bus message is signed with it' });
  }
  if (c.OPENAI_VISION_MODEL && !c.OPENAI_API_KEY) {
    ctx.addIssue({ code: 'custom', path: ['OPENAI_VISION_MODEL'], message: 'needs OPENAI_API_KEY: photos are described through the same LLM endpoint' });
  }
});

export type Config = z.infer<typeof fields>;

/** Every environment variable Switchboard reads (for .env.example and packaging checks). */
export const CONFIG_VARIABLES = Object.keys(fields.shape) as (keyof Config)[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates `env` (default `process.env`); throws {@link ConfigError} naming each bad variable.
 * The files the variables name (routing, FAQ) are read and checked too, so a bad file stops the start here.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(withRenamedVariables(env));
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const value = env[name];
      const shown = value === undefined ? '' : ` (got ${JSON.stringify(isSecret(name) ? '***' : value)})`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const fileProblems = [...routingFileProblems(result.data), ...faqFileProblems(result.data)];
  if (fileProblems.length > 0) throw new ConfigError(fileProblems);
  return result.data;
}

/** Variables that were renamed keep working under their old names (the new name wins when both are set). */
const RENAMED: Record<string, keyof Config> = { EMBEDDED_TEMPORAL_PORT: 'LOCAL_TEMPORAL_PORT' };

function withRenamedVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const [old, current] of Object.entries(RENAMED)) {
    if (out[current] === undefined && out[old] !== undefined) out[current] = out[old];
    delete out[old];
  }
  return out;
}

function routingFileProblems(config: Config): string[] {
  try {
    loadRouting(config);
    return [];
  } catch (error) {
    if (error instanceof RoutingConfigError) return error.problems.map((p) => `ROUTING_FILE (${error.source}): ${p}`);
    throw error;
  }
}

function faqFileProblems(config: Config): string[] {
  try {
    loadFaq(config.FAQ_FILE ?? undefined);
    return [];
  } catch (error) {
    if (error instanceof FaqFileError) return error.problems.map((p) => `FAQ_FILE (${error.file}): ${p}`);
    throw error;
  }
}

function isSecret(name: string): boolean {
  return /KEY|TOKEN|SECRET|PASSWORD/i.test(name);
}

/** A loggable description: no secrets, only whether they are set. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    port: config.PORT,
    temporal: config.TEMPORAL_ADDRESS ?? `local (${config.LOCAL_TEMPORAL})`,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    llm: config.OPENAI_API_KEY ? { model: config.OPENAI_MODEL, vision: config.OPENAI_VISION_MODEL ?? 'off', baseUrl: config.OPENAI_BASE_URL ?? 'default' } : 'off',
    tools: config.TOOLS_BASE_URL ?? 'sample commerce backend',
    bus: config.REDIS_URL ? 'redis (signed)' : 'in-process',
    integrationKey: config.INTEGRATION_KEY ? 'set' : 'unset',
    gatewaySecret: config.GATEWAY_SECRET ? 'set' : 'random per process',
    payloadEncryption: config.PAYLOAD_KEYS.length > 0 ? { keys: config.PAYLOAD_KEYS.map((k) => k.id), current: config.PAYLOAD_KEY_ID ?? config.PAYLOAD_KEYS[0]!.id } : 'off',
  };
}

/**
 * For process entry points: the config, or the list of bad variables on
 * stderr and exit code 1 — a person fixes configuration, a stack trace does
 * not help them.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
