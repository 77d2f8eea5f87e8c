/**
 * Customer HTTP API: create a conversation. Everything after that happens
 * on the WebSocket with the returned token.
 */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Logger } from '../../logger';
import type { Customer } from '../../workflows/contract';
import { bearerToken, sameSecret } from '../auth';
import { ApiError, ApiErrorCode } from '../errors';
import { createConversationSchema, parseOrThrow } from '../schemas';
import type { CustomerTokens } from '../tokens';

export interface CustomerRouterOptions {
  tokens: CustomerTokens;
  /** Server-to-server key; when unset, every caller is anonymous. */
  integrationKey?: string;
  logger: Logger;
}

export function createCustomerRouter({ tokens, integrationKey, logger }: CustomerRouterOptions): Router {
  const router = Router();

  /**
   * No workflow starts here: the first customer message starts it with
   * signal-with-start, so abandoned chat windows cost nothing. The token
   * carries what that start needs.
   */
  router.post('/api/conversations', (req, res) => {
    const body = parseOrThrow(createConversationSchema, req.body ?? {});
    const given = bearerToken(req);
    if (given !== undefined && !sameSecret(given, integrationKey)) {
      throw new ApiError(ApiErrorCode.Unauthorized, 'the integration key is not valid');
    }
    const trusted = given !== undefined;
    const conversationId = randomUUID();
    // Without the integration key anyone could claim to be a VIP: anonymous callers get a fresh regular identity.
    const identified = trusted ? body.customer : undefined;
    const customer: Customer = identified
      ? {
          id: identified.id,
          ...(identified.name ? { name: identified.name } : {}),
          tier: identified.tier,
          ...(identified.paying !== undefined ? { paying: identified.paying } : {}),
          ...(identified.phone ? { phone: identified.phone } : {}),
          ...(identified.email ? { email: identified.email } : {}),
        }
      : { id: `anon-${randomUUID()}`, tier: 'regular', anonymous: true };
    // Anonymous customers are a new id per chat; limits per customer follow them by (hashed) address instead:
    // the client's address as TRUST_PROXY reads it (req.ip), as the rate limits do, not the load balancer's.
    const clientKey = identified ? `customer:${identified.id}` : tokens.clientKey(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    const token = tokens.issue({ conversationId, customer, clientKey, ...(body.locale ? { locale: body.locale } : {}) });
    logger.info({ conversationId, tier: customer.tier, trusted }, 'conversation created');
    res.status(201).json({ conversationId, token });
  });

  return router;
}
