/**
 * Every input the gateway accepts, as zod schemas: HTTP bodies, query strings,
 * path ids and WebSocket frames. Anything that does not parse is answered with
 * `invalid_input` (or `unknown_frame` / `malformed_json` for frames) and
 * changes nothing.
 */
import { z } from 'zod';
import { MAX_MESSAGE_TEXT_LENGTH } from '../domain/state';
import { stripControlCharacters } from '../domain/text';
import { LANGUAGES, PHASES, SKILL_ID_PATTERN, TIERS } from '../workflows/contract';
import { ApiError, ApiErrorCode } from './errors';

/** Conversation ids are UUIDs minted here, but any safe id is accepted so operators can address older ones. */
export const conversationIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'not a conversation id');

/** Client message ids: printable, short, chosen by the client for de-duplication. */
export const messageIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'letters, digits and _.:- only, 1-100');

/** The workflow refuses longer messages; the gateway says so up front. */
export const MAX_TEXT_LENGTH = MAX_MESSAGE_TEXT_LENGTH;
/**
 * Free text as it will be stored: control and bidi characters are removed
 * first (src/domain/text.ts), so a message of nothing but those is empty.
 */
const cleanText = (max: number) =>
  z
    .string()
    .transform(stripControlCharacters)
    .pipe(z.string().max(max, `at most ${max} characters`));
const textSchema = cleanText(MAX_TEXT_LENGTH).refine((t) => t.trim().length > 0, 'must not be empty');

export const createConversationSchema = z
  .object({
    customer: z
      .object({
        id: z.string().regex(/^[A-Za-z0-9_.@:-]{1,100}$/, 'not a customer id'),
        name: cleanText(100).pipe(z.string().min(1, 'must not be empty')).optional(),
        tier: z.enum(TIERS).default('regular'),
        paying: z.boolean().optional(),
        phone: z.string().regex(/^\+?[0-9 ()-]{7,20}$/, 'a phone number (7–15 digits)').optional(),
        email: z.string().email().max(200).optional(),
      })
      .strict()
      .optional(),
    locale: z.enum(LANGUAGES).optional(),
  })
  .strict();

export const agentMessageSchema = z.object({ id: messageIdSchema.optional(), text: textSchema }).strict();
export const releaseSchema = z
  .object({ to: z.enum(['ai', 'queue']), note: cleanText(1000).optional() })
  .strict();
/** The skill is checked against the routing configuration by the router (and again by the workflow). */
export const transferSchema = z.object({ skill: z.string().regex(SKILL_ID_PATTERN, 'a skill id'), note: cleanText(1000).optional() }).strict();
export const presenceSchema = z.object({ status: z.enum(['online', 'away', 'offline']) }).strict();
export const offerIdSchema = z.string().regex(/^[a-z0-9_:-]{1,80}$/, 'not an offer id');
export const closeSchema = z.object({ resolution: cleanText(1000).pipe(z.string().min(1, 'must not be empty')).optional() }).strict();

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

export const agentFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping') }).strict(),
  z.object({ type: z.literal('presence'), status: z.enum(['online', 'away', 'offline']) }).strict(),
]);
export const AGENT_FRAME_TYPES = ['ping', 'presence'] as const;

/**
 * Parses or throws `invalid_input` naming each bad field. `where` names the
 * value itself when it is not an object with fields (a path parameter: "id
 * (path)"), so an error never points at a body the caller did not send.
 */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where = 'body'): T {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(result.error, where);
  return result.data;
}

export function invalidInput(error: z.ZodError, where = 'body'): ApiError {
  const problems = error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : where}: ${i.message}`);
  return new ApiError(ApiErrorCode.InvalidInput, problems.join('; '), { problems });
}

/** A conversation id from the URL path, or `invalid_input` naming it. */
export function conversationIdParam(value: unknown): string {
  return parseOrThrow(conversationIdSchema, value, 'id (path)');
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
  return result.success ? { ok: true, frame: result.data } : { ok: false, error: invalidInput(result.error, 'frame') };
}
