/**
 * Bearer-token authentication for the HTTP API: agents and operators from the
 * agent directory, and the server-to-server integration key.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { can, type Capability } from './access';
import type { Agent, AgentDirectory } from './agents';
import { ApiError, ApiErrorCode } from './errors';

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Equal strings in constant time (digests first, so lengths leak nothing). */
export function sameSecret(given: string | undefined, expected: string | undefined): boolean {
  if (!given || !expected) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The authenticated agent of a request that passed {@link requireAgent}. */
export function currentAgent(res: Response): Agent {
  return res.locals.agent as Agent;
}

/** Any agent, supervisor or operator; with `capability`, only callers whose role has it (./access.ts). */
export function requireAgent(agents: AgentDirectory, capability?: Capability): RequestHandler {
  return (req, res, next) => {
    const agent = agents.authenticate(bearerToken(req));
    if (!agent) {
      next(new ApiError(ApiErrorCode.Unauthorized, 'a valid agent token is required (Authorization: Bearer <token>)'));
      return;
    }
    if (capability && !can(agent, capability)) {
      next(new ApiError(ApiErrorCode.Forbidden, 'this endpoint is for operators'));
      return;
    }
    res.locals.agent = agent;
    next();
  };
}

/** The cookie that carries an operator's session to the codec endpoint (the Temporal Web UI cannot send a bearer token). */
export const CODEC_COOKIE = 'switchboard_codec';
const SESSION_SECONDS = 8 * 60 * 60;

/**
 * Operator sessions for the codec endpoint: `<agent id>:<expiry>:<HMAC>`,
 * signed with the gateway secret, so any gateway of the deployment accepts
 * it and none stores it. Agent ids cannot contain ':' (./agents.ts).
 */
export class OperatorSessions {
  constructor(
    private readonly secret: string | Buffer,
    private readonly agents: AgentDirectory,
  ) {}

  issue(agentId: string): { value: string; expiresAt: Date } {
    const exp = Math.floor(Date.now() / 1000) + SESSION_SECONDS;
    return { value: `${agentId}:${exp}:${this.mac(agentId, exp)}`, expiresAt: new Date(exp * 1000) };
  }

  /** The agent of a valid, unexpired session cookie on this request. */
  fromRequest(req: IncomingMessage): Agent | undefined {
    const value = readCookie(req, CODEC_COOKIE);
    if (!value || value.length > 300) return undefined;
    const [agentId, expText, mac] = value.split(':');
    const exp = Number(expText);
    if (!agentId || !mac || !Number.isInteger(exp) || exp * 1000 <= Date.now()) return undefined;
    const expected = Buffer.from(this.mac(agentId, exp), 'base64url');
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return this.agents.get(agentId);
  }

  private mac(agentId: string, exp: number): string {
    return createHmac('sha256', this.secret).update(`codec-session.${agentId}.${exp}`).digest('base64url');
  }
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
