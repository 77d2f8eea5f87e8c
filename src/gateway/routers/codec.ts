/**
 * The remote codec endpoint, so the Temporal Web UI and CLI show decoded
 * histories to operators: `POST /codec/decode` and `POST /codec/encode` with
 * `{ "payloads": [{ "metadata": { k: base64 }, "data": base64 }] }` (the
 * protobuf JSON of Payloads) and the same shape back, as Temporal's codec
 * server protocol defines. Decoded JSON payloads come back with card and
 * identity numbers masked: the UI is for reading, and those are never shown.
 *
 * Who may call it: operators (the `codec` capability, ./access.ts), by
 * - `Authorization: Bearer <operator token>` (the CLI: `temporal workflow show
 *   --codec-endpoint <gateway>/codec --codec-auth 'Bearer <token>'`, or the
 *   Web UI's "pass access token" when the UI itself authenticates), or
 * - the operator session cookie that `POST /api/operator/codec-session` sets
 *   (the demo desk does it when an operator signs in), which the Web UI sends
 *   with "include cross-origin credentials" ticked in its codec settings.
 *
 * CORS answers only the Temporal Web UI's origin (TEMPORAL_UI_URL, or the
 * local dev server's UI under `npm start`); any other origin gets no CORS
 * headers and a browser refuses to read the answer.
 */
import express, { Router, type RequestHandler } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import type { Logger } from '../../logger';
import { can } from '../access';
import type { AgentDirectory } from '../agents';
import { bearerToken, CODEC_COOKIE, currentAgent, requireAgent, type OperatorSessions } from '../auth';
import { ApiError, ApiErrorCode } from '../errors';
import { maskDeep } from '../history';
import { parseOrThrow } from '../schemas';

/** A history's payloads in one request; the UI sends one event's worth at a time. */
const MAX_PAYLOADS = 1000;

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const payloadsSchema = z
  .object({
    payloads: z
      .array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }))
      .max(MAX_PAYLOADS, `at most ${MAX_PAYLOADS} payloads`),
  })
  .strict();

export interface CodecRouterOptions {
  agents: AgentDirectory;
  /** Undefined when PAYLOAD_KEYS is unset: the endpoint then says so (503). */
  codec?: PayloadCodec;
  /** The operator session cookie the Web UI sends. */
  sessions: OperatorSessions;
  /** The Temporal Web UI's origin, the only one CORS answers. */
  uiOrigin?: string;
  logger: Logger;
}

const toPayload = (p: { metadata?: Record<string, string>; data?: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): { metadata: Record<string, string>; data: string } => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** A decoded JSON payload with card and identity numbers masked; any other payload as decoded. */
function masked(p: Payload): Payload {
  if (Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString('utf8') !== 'json/plain') return p;
  try {
    const value = JSON.parse(Buffer.from(p.data ?? new Uint8Array()).toString('utf8')) as unknown;
    return { metadata: p.metadata, data: Buffer.from(JSON.stringify(maskDeep(value)), 'utf8') };
  } catch {
    return p;
  }
}

export function createCodecRouter({ agents, codec, sessions, uiOrigin, logger }: CodecRouterOptions): Router {
  const router = Router();

  const cors: RequestHandler = (req, res, next) => {
    const origin = req.headers.origin;
    if (origin && uiOrigin && origin === uiOrigin) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Allow-Credentials', 'true');
      res.set('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      if (!res.get('Access-Control-Allow-Origin')) {
        next(new ApiError(ApiErrorCode.Forbidden, 'this origin may not call the codec endpoint (it answers the Temporal UI only: TEMPORAL_UI_URL)'));
        return;
      }
      res.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.set('Access-Control-Allow-Headers', 'content-type, x-namespace, authorization');
      res.set('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };

  const operator: RequestHandler = (req, res, next) => {
    const token = bearerToken(req);
    const agent = token !== undefined ? agents.authenticate(token) : sessions.fromRequest(req);
    if (!agent) {
      next(new ApiError(ApiErrorCode.Unauthorized, 'an operator token (Authorization: Bearer) or operator session cookie is required'));
      return;
    }
    if (!can(agent, 'codec')) {
      next(new ApiError(ApiErrorCode.Forbidden, 'the codec endpoint is for operators'));
      return;
    }
    res.locals.agent = agent;
    next();
  };

  // History payloads can be larger than the API's 32 KB bodies.
  const body = express.json({ limit: '4mb' });

  for (const action of ['encode', 'decode'] as const) {
    router.options(`/codec/${action}`, cors);
    router.post(`/codec/${action}`, cors, operator, body, async (req, res) => {
      if (!codec) throw new ApiError(ApiErrorCode.Unavailable, 'payload encryption is off (PAYLOAD_KEYS is not set): there is nothing to decode');
      const { payloads } = parseOrThrow(payloadsSchema, req.body ?? {});
      let out: Payload[];
      try {
        out = action === 'encode' ? await codec.encode(payloads.map(toPayload)) : (await codec.decode(payloads.map(toPayload))).map(masked);
      } catch (error) {
        logger.warn({ err: error, action }, 'codec request failed');
        throw new ApiError(ApiErrorCode.InvalidInput, `payloads: ${(error as Error).message}`);
      }
      res.json({ payloads: out.map(toJson) });
    });
  }

  /** Sets the operator session cookie the Web UI sends to the codec endpoint. */
  router.post('/api/operator/codec-session', requireAgent(agents, 'codec'), (req, res) => {
    const { value, expiresAt } = sessions.issue(currentAgent(res).id);
    // SameSite=Lax: the Web UI on another port or subdomain of the same site sends it; other sites do not.
    res.cookie(CODEC_COOKIE, value, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      path: '/codec',
      maxAge: expiresAt.getTime() - Date.now(),
    });
    res.json({ codec: '/codec', expiresAt: expiresAt.toISOString(), uiOrigin: uiOrigin ?? null });
  });

  return router;
}
