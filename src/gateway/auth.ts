/**
 * Bearer-token authentication for the HTTP API: agents and operators from the
 * agent directory, and the server-to-server integration key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
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
