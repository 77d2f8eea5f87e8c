/**
 * The one scripted fake of the OpenAI chat-completions API for the whole test
 * suite (workflow, gateway, activity and LLM tests). Point the real `openai`
 * client at `fake.url` (OPENAI_BASE_URL) and script its answers:
 *
 * @example
 * const fake = await startFakeOpenAi();
 * fake.enqueue({ json: { intent: 'get_refund', confidence: 0.9, entities: {} } });
 * fake.enqueue({ status: 500 });                        // an error answer
 * fake.enqueue({ content: 'Hello!', delayMs: 200 });    // a slow answer
 * fake.enqueue({ hang: true });                         // never answers
 * fake.enqueue((req) => ({ content: `you said ${lastUserText(req)}` }));
 * ...
 * expect(fake.requests).toHaveLength(2);
 * await fake.close();
 *
 * Queued replies are used first-in first-out, one per request; when the queue
 * is empty the default responder answers (by default a 500 that names the
 * missing script, so an unexpected call fails loudly; see `setDefault`).
 * Every request is recorded in `fake.requests`, including the ones that hang.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeReply {
  /** Message content (for JSON-schema outputs: the JSON text). */
  content?: string;
  /** Serialized with JSON.stringify into `content`. */
  json?: unknown;
  /** An error answer with this HTTP status and an OpenAI-style error body. */
  status?: number;
  /** Error message for `status` replies. */
  error?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (the connection stays open until the client gives up or the fake closes). */
  hang?: boolean;
  finishReason?: 'stop' | 'length' | 'content_filter';
  /** A refusal instead of content. */
  refusal?: string;
  /** Send exactly this body with status 200 (malformed-response tests). */
  raw?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body (a chat.completions create request), or undefined if it was not JSON. */
  body: any;
  receivedAt: number;
}

export type Responder = FakeReply | ((request: RecordedRequest) => FakeReply | Promise<FakeReply>);

export interface FakeOpenAi {
  /** Base URL for the openai client / OPENAI_BASE_URL, ending in /v1. */
  readonly url: string;
  /** Every chat-completions request received, in order. */
  readonly requests: RecordedRequest[];
  /** Adds replies to the end of the script. */
  enqueue(...replies: Responder[]): void;
  /** What answers when the script is empty. */
  setDefault(responder: Responder): void;
  /** Scripted replies not used yet. */
  readonly pending: number;
  /** Requests that are waiting on a `hang` or `delayMs` reply right now. */
  readonly inFlight: number;
  /** Resolves once at least `count` requests have arrived (rejects after `timeoutMs`). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Empties the script and the request log; the default responder stays. */
  reset(): void;
  close(): Promise<void>;
}

const NO_SCRIPT: Responder = (req) => ({
  status: 500,
  error: `fake-openai: no scripted reply for request #${req.receivedAt} (${schemaNameOf(req) ?? 'no json_schema'})`,
});

export async function startFakeOpenAi(options: { default?: Responder } = {}): Promise<FakeOpenAi> {
  const script: Responder[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  let fallback: Responder = options.default ?? NO_SCRIPT;
  let inFlight = 0;
  let counter = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, `fake-openai internal error: ${String(err)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const raw = await readBody(req);
    if (req.method !== 'POST' || !/^(\/v1)?\/chat\/completions$/.test(path)) {
      sendError(res, 404, `fake-openai: no route ${req.method} ${path}`);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = { method: req.method, path, headers: req.headers, body, receivedAt: ++counter };
    requests.push(recorded);
    for (const wake of [...waiters]) wake();

    const responder = script.length > 0 ? script.shift()! : fallback;
    const reply = typeof responder === 'function' ? await responder(recorded) : responder;

    if (reply.hang || (reply.delayMs ?? 0) > 0) {
      inFlight++;
      try {
        await new Promise<void>((resolve) => {
          const timer = reply.hang ? undefined : setTimeout(resolve, reply.delayMs);
          res.on('close', () => {
            if (timer) clearTimeout(timer);
            resolve();
          });
        });
      } finally {
        inFlight--;
      }
      if (res.destroyed || res.writableEnded) return;
    }

    if (reply.status !== undefined && reply.status >= 300) {
      sendError(res, reply.status, reply.error ?? `fake-openai scripted error ${reply.status}`);
      return;
    }
    if (reply.raw !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(reply.raw);
      return;
    }
    const content = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.content ?? null);
    const model = (body as { model?: string } | undefined)?.model ?? 'fake-model';
    const completion = {
      id: `chatcmpl-fake-${recorded.receivedAt}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: reply.refusal ? null : content, refusal: reply.refusal ?? null },
          logprobs: null,
          finish_reason: reply.finishReason ?? 'stop',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...replies) => {
      script.push(...replies);
    },
    setDefault: (responder) => {
      fallback = responder;
    },
    get pending() {
      return script.length;
    },
    get inFlight() {
      return inFlight;
    },
    waitForRequests(count, timeoutMs = 10_000) {
      if (requests.length >= count) return Promise.resolve(requests.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake-openai: ${requests.length} of ${count} requests after ${timeoutMs} ms`));
        }, timeoutMs);
        function check() {
          if (requests.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(requests.slice());
        }
        waiters.add(check);
      });
    },
    reset() {
      script.length = 0;
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/** The `response_format.json_schema.name` of a request (which structured output it asks for). */
export function schemaNameOf(request: RecordedRequest): string | undefined {
  return request.body?.response_format?.json_schema?.name;
}

/** Text of the last user message of a request. */
export function lastUserText(request: RecordedRequest): string | undefined {
  const messages: Array<{ role: string; content: unknown }> = request.body?.messages ?? [];
  const last = [...messages].reverse().find((m) => m.role === 'user');
  if (!last) return undefined;
  if (typeof last.content === 'string') return last.content;
  if (Array.isArray(last.content)) return last.content.map((p: { text?: string }) => p.text ?? '').join('');
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, status: number, message: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null } }));
}
