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
 * - `GET /api/conversations/:id/images/:imageId` → the bytes, for the
 *   customer's token of that conversation, or an agent who may read the
 *   conversation in full (src/gateway/access.ts: assigned, closed by them,
 *   supervisors and operators; a queued preview shows no photo); the image
 *   must be in that conversation's transcript. `GET /api/images/:imageId`
 *   stays for customers (their token names the conversation).
 */
import { randomUUID } from 'node:crypto';
import express, { Router } from 'express';
import type { Logger } from '../../logger';
import type { AgentDirectory } from '../agents';
import { conversationAccess } from '../access';
import { bearerToken } from '../auth';
import type { Conversations } from '../conversations';
import { ApiError, ApiErrorCode } from '../errors';
import { sniffImage, type ImageStore } from '../images';
import type { CustomerTokens } from '../tokens';
import { MAX_MESSAGE_ID_LENGTH, MAX_MESSAGE_TEXT_LENGTH } from '../../domain/state';
import { detectLanguage } from '../../nlu/language';
import { normalize } from '../../nlu/normalize';
import type { ImageRef, Language } from '../../workflows/contract';

export interface ImageRouterOptions {
  tokens: CustomerTokens;
  agents: AgentDirectory;
  conversations: Conversations;
  images: ImageStore;
  maxBytes: number;
  logger: Logger;
  /** Describes a photo (OPENAI_VISION_MODEL); absent = photos travel undescribed. May throw: the upload goes on without. */
  describe?: PhotoDescriber;
}

export type PhotoDescriber = (bytes: Buffer, mime: ImageRef['mime'], language: Language) => Promise<ImageRef['seen'] | undefined>;

export function createImageRouter({ tokens, agents, conversations, images, maxBytes, logger, describe }: ImageRouterOptions): Router {
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
    const stored = await images.put(bytes, mime);
    let image: ImageRef = stored;
    if (describe) {
      // The vision model's view goes with the reference, so the workflow can act on what the photo shows
      // (a damaged item → repair or return) and the agent reads it. Its failure costs only the description.
      const language = text ? detectLanguage(normalize(text), claims.locale ?? 'en') : (claims.locale ?? 'en');
      try {
        const seen = await describe(bytes, mime, language);
        if (seen) image = { ...stored, seen };
      } catch (error) {
        logger.warn({ conversationId: claims.conversationId, err: { name: (error as Error).name, status: (error as { status?: number }).status } }, 'photo not described');
      }
    }
    await conversations.sendCustomerMessage(claims, { messageId, text, image });
    logger.info({ conversationId: claims.conversationId, image: image.id.slice(0, 12), mime, bytes: image.bytes, shows: image.seen?.shows }, 'image received');
    res.status(202).json({ messageId, image });
  });

  /** The image, if it is one of this conversation's transcript (an id alone proves nothing: ids are content hashes). */
  async function imageOf(conversationId: string, imageId: string, res: express.Response): Promise<void> {
    const transcript = await conversations.transcriptIfStarted(conversationId, 0);
    if (!transcript.some((e) => e.image?.id === imageId)) throw new ApiError(ApiErrorCode.NotFound, 'no such image in this conversation');
    const stored = await images.get(imageId);
    if (!stored) throw new ApiError(ApiErrorCode.NotFound, 'no such image');
    res.set('Content-Type', stored.ref.mime).set('Cache-Control', 'private, max-age=3600').send(stored.bytes);
  }

  router.get('/api/conversations/:id/images/:imageId', async (req, res) => {
    const token = bearerToken(req);
    const agent = agents.authenticate(token);
    if (agent) {
      // The same rule as the transcript: a preview (queued, not claimed) shows no photos.
      const access = conversationAccess(agent, await conversations.state(req.params.id));
      if (access.level === 'none') throw new ApiError(ApiErrorCode.Forbidden, access.reason);
      if (access.level === 'preview') throw new ApiError(ApiErrorCode.Forbidden, 'claim this conversation to see its photos (a queued conversation shows a preview only)');
    } else {
      const claims = tokens.verify(token);
      if (!claims) throw new ApiError(ApiErrorCode.Unauthorized, 'a customer or agent token is required');
      if (claims.conversationId !== req.params.id) throw new ApiError(ApiErrorCode.Forbidden, 'this token belongs to another conversation');
    }
    await imageOf(req.params.id, req.params.imageId, res);
  });

  // The first route, kept for customers (their token names the conversation). Agents must say which conversation.
  router.get('/api/images/:imageId', async (req, res) => {
    const token = bearerToken(req);
    if (agents.authenticate(token)) {
      throw new ApiError(ApiErrorCode.Forbidden, 'agents read a photo through its conversation: GET /api/conversations/:id/images/:imageId');
    }
    const claims = tokens.verify(token);
    if (!claims) throw new ApiError(ApiErrorCode.Unauthorized, 'a customer or agent token is required');
    await imageOf(claims.conversationId, req.params.imageId, res);
  });

  return router;
}
