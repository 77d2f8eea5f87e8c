/**
 * Every input the gateway accepts, as zod schemas: HTTP bodies, query strings,
 * path ids and WebSocket frames. Anything that does not parse is answered with
 * `invalid_input` (or `unknown_frame` / `malformed_json` for frames) and
 * changes nothing.
 */
import { z } from 'zod';
import { MAX_MESSAGE_TEXT_LENGTH } from '../domain/state';
import { LANGUAGES, PHASES, SKILLS, TIERS } from '../workflows/contract';
import { ApiError, ApiErrorCode } from './errors';

/** Conversation ids are UUIDs minted here, but any safe id is accepted so operators can address older ones. */
export const conversationIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'not a conversation id');

/** Client message ids: printable, short, chosen by the client for de-duplication. */
export const messageIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'letters, digits and _.:- only, 1-100');

/** The workflow refuses longer messages; the gateway says so up front. */
export const MAX_TEXT_LENGTH = MAX_MESSAGE_TEXT_LENGTH;
const textSchema = z
  .string()
  .max(MAX_TEXT_LENGTH, `at most ${MAX_TEXT_LENGTH} characters`)
  .refine((t) => t.trim().length > 0, 'must not be empty');

export const createConversationSchema = z
  .object({
    customer: z
      .object({
        id: z.string().regex(/^[A-Za-z0-9_.@:-]{1,100}$/, 'not a customer id'),
        name: z.string().min(1).max(100).optional(),
        tier: z.enum(TIERS).default('regular'),
      })
      .strict()
      .optional(),
    locale: z.enum(LANGUAGES).optional(),
  })
  .strict();

export const agentMessageSchema = z.object({ id: messageIdSchema.optional(), text: textSchema }).strict();
export const releaseSchema = z
  .object({ to: z.enum(['ai', 'queue']), note: z.string().max(1000).optional() })
  .strict();
export const transferSchema = z.object({ skill: z.enum(SKILLS), note: z.string().max(1000).optional() }).strict();
export const closeSchema = z.object({ resolution: z.string().min(1).max(1000).optional() }).strict();

export const listConversationsQuerySchema = z
  .object({
    status: z.enum(PHASES).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

// --- WebSocket frames (client → server) ----------------------------------

export const customerFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), id: messageIdSchema, text: textSchema }).strict(),
  z.object({ type: z.literal('resume'), afterSeq: z.number().int().min(0) }).strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);
export type CustomerFrame = z.infer<typeof customerFrameSchema>;
export const CUSTOMER_FRAME_TYPES = ['message', 'resume', 'ping'] as const;

export const agentFrameSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('ping') }).strict()]);
export const AGENT_FRAME_TYPES = ['ping'] as const;

/** Parses or throws `invalid_input` naming each bad field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}

export function invalidInput(error: z.ZodError): ApiError {
  const problems = error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  return new ApiError(ApiErrorCode.InvalidInput, problems.join('; '), { problems });
}

/**
 * Decodes one text frame. Distinguishes unparsable JSON, a frame whose type
 * this endpoint does not know, and a known frame with bad fields.
 */
export function decodeFrame<T>(
  raw: string,
  schema: z.ZodType<T>,
  knownTypes: readonly string[],
): { ok: true; frame: T } | { ok: false; error: ApiError } {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, error: new ApiError(ApiErrorCode.MalformedJson, 'frame is not valid JSON') };
  }
  const type = data && typeof data === 'object' ? (data as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !knownTypes.includes(type)) {
    return {
      ok: false,
      error: new ApiError(ApiErrorCode.UnknownFrame, `unknown frame type; expected one of ${knownTypes.join(', ')}`),
    };
  }
  const result = schema.safeParse(data);
  return result.success ? { ok: true, frame: result.data } : { ok: false, error: invalidInput(result.error) };
}
