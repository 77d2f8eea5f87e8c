/**
 * Customer photos over HTTP (the WebSocket carries text frames only, up to 16 KB):
 *
 * - `POST /api/conversations/:id/images?id=<client message id>&text=<caption>`
 *   with the customer's token as `Authorization: Bearer`, the raw image as
 *   the body. The type is sniffed from the bytes (JPEG, PNG, WebP, GIF), the
 *   size limited by IMAGE_MAX_BYTES; the image is stored by content hash and
 *   sent to the conversation as a customer message holding its reference.
 *   → 202 `{ messageId, image: { id, mime, bytes } }`; the message then
 *   arrives on the WebSocket like any other (`image` set).
 * - `GET /api/images/:imageId` with the customer's token (only images of
 *   their own conversation) or an agent token → the bytes.
 */
import { randomUUID } from 'node:crypto';
import express, { Router } from 'express';
import type { Logger } from '../../logger';
import type { AgentDirectory } from '../agents';
import { bearerToken } from '../auth';
import type { Conversations } from '../conversations';
import { ApiError, ApiErrorCode } from '../errors';
import { sniffImage, type ImageStore } from '../images';
import type { CustomerTokens } from '../tokens';
import { MAX_MESSAGE_ID_LENGTH, MAX_MESSAGE_TEXT_LENGTH } from '../../domain/state';

export interface ImageRouterOptions {
  tokens: CustomerTokens;
  agents: AgentDirectory;
  conversations: Conversations;
  images: ImageStore;
  maxBytes: number;
  logger: Logger;
}

export function createImageRouter({ tokens, agents, conversations, images, maxBytes, logger }: ImageRouterOptions): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: maxBytes });

  router.post('/api/conversations/:id/images', raw, async (req, res) => {
    const claims = tokens.verify(bearerToken(req));
    if (!claims) throw new ApiError(ApiErrorCode.Unauthorized, 'a valid customer token is required (Authorization: Bearer <token>)');
    if (claims.conversationId !== req.params.id) throw new ApiError(ApiErrorCode.Forbidden, 'this token belongs to another conversation');
    const bytes = req.body as unknown;
    if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new ApiError(ApiErrorCode.InvalidInput, 'send the image file as the request body');
    const mime = sniffImage(bytes);
    if (!mime) throw new ApiError(ApiErrorCode.InvalidInput, 'the file is not a JPEG, PNG, WebP or GIF image');
    const messageId = typeof req.query.id === 'string' && req.query.id !== '' ? req.query.id : randomUUID();
    if (messageId.length > MAX_MESSAGE_ID_LENGTH) throw new ApiError(ApiErrorCode.InvalidInput, `id must be at most ${MAX_MESSAGE_ID_LENGTH} characters`);
    const text = typeof req.query.text === 'string' ? req.query.text.trim() : '';
    if (text.length > MAX_MESSAGE_TEXT_LENGTH) throw new ApiError(ApiErrorCode.InvalidInput, `text must be at most ${MAX_MESSAGE_TEXT_LENGTH} characters`);
    const image = await images.put(bytes, mime);
    await conversations.sendCustomerMessage(claims, { messageId, text, image });
    logger.info({ conversationId: claims.conversationId, image: image.id.slice(0, 12), mime, bytes: image.bytes }, 'image received');
    res.status(202).json({ messageId, image });
  });

  router.get('/api/images/:imageId', async (req, res) => {
    const token = bearerToken(req);
    const agent = agents.authenticate(token);
    if (!agent) {
      const claims = tokens.verify(token);
      if (!claims) throw new ApiError(ApiErrorCode.Unauthorized, 'a customer or agent token is required');
      // A customer sees the images of their own conversation only.
      const transcript = await conversations.transcriptIfStarted(claims.conversationId, 0);
      if (!transcript.some((e) => e.image?.id === req.params.imageId)) throw new ApiError(ApiErrorCode.NotFound, 'no such image in this conversation');
    }
    const stored = await images.get(req.params.imageId);
    if (!stored) throw new ApiError(ApiErrorCode.NotFound, 'no such image');
    res.set('Content-Type', stored.ref.mime).set('Cache-Control', 'private, max-age=3600').send(stored.bytes);
  });

  return router;
}
