/**
 * Customer photos: content sniffing and a content-addressed store.
 *
 * The bytes never enter the workflow (histories would balloon and carry
 * personal data); the workflow holds an {@link ImageRef} — the content hash
 * of the bytes (keyed where photos are sealed), the sniffed type and the
 * size. Storing by hash makes a re-upload of the same photo free and lets any gateway serve any image from a shared
 * folder. The type comes from the file's first bytes, never from the
 * client's Content-Type or file name.
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { ImageRef } from '../workflows/contract';

/**
 * The four formats we accept, by their signatures (JPEG FF D8 FF; PNG's
 * 8-byte header; GIF87a/GIF89a; RIFF….WEBP). Four fixed signatures do not
 * need a sniffing library (the maintained one, file-type, is ESM-only and
 * brings a tokenizer stack for hundreds of formats we would refuse anyway).
 */
export function sniffImage(bytes: Uint8Array): ImageRef['mime'] | undefined {
  const b = bytes;
  const at = (i: number, ...v: number[]) => v.every((x, k) => b[i + k] === x);
  if (b.length >= 3 && at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (b.length >= 8 && at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (b.length >= 6 && at(0, 0x47, 0x49, 0x46, 0x38) && (b[4] === 0x37 || b[4] === 0x39) && b[5] === 0x61) return 'image/gif';
  if (b.length >= 12 && at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  return undefined;
}

export interface StoredImage {
  ref: ImageRef;
  bytes: Buffer;
}

export interface ImageStore {
  /** Stores the bytes (idempotent: same bytes, same id). */
  put(bytes: Buffer, mime: ImageRef['mime']): Promise<ImageRef>;
  /** The image, or undefined for an unknown id. */
  get(id: string): Promise<StoredImage | undefined>;
}

const EXT: Record<ImageRef['mime'], string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif' };
const ID = /^[0-9a-f]{64}$/;

/**
 * Files named `<id>.<ext>` in one folder (IMAGE_DIR, or a folder under the
 * system temp dir), the id the sha256 of the bytes or, with an id key, their
 * HMAC. With a payload codec (PAYLOAD_KEYS set, as `npm start`
 * always has) the file is `<sha256>.<ext>.sealed` and holds the photo sealed
 * by that codec, the same AES-256-GCM and key ids as the workflow payloads:
 * a copied disk or backup shows no customer photo, and key rotation works the
 * same way (keep the old key in PAYLOAD_KEYS while its files are kept).
 * Plain files written before the codec are still served.
 */
export class FileImageStore implements ImageStore {
  private ready: Promise<unknown> | undefined;

  /**
   * @param idKey names files by an HMAC of the bytes under this key instead of
   *   their plain sha256, so that a copied disk does not tell whether a photo
   *   one already holds was sent (the gateway passes one, derived from
   *   GATEWAY_SECRET, whenever photos are sealed). Same photo, same key: same id.
   */
  constructor(
    readonly dir: string = path.join(tmpdir(), 'switchboard-images'),
    private readonly codec?: PayloadCodec,
    private readonly idKey?: Buffer,
  ) {}

  async put(bytes: Buffer, mime: ImageRef['mime']): Promise<ImageRef> {
    this.ready ??= mkdir(this.dir, { recursive: true });
    await this.ready;
    const id = (this.idKey ? createHmac('sha256', this.idKey) : createHash('sha256')).update(bytes).digest('hex');
    const file = path.join(this.dir, `${id}.${EXT[mime]}${this.codec ? SEALED : ''}`);
    const content = this.codec ? await seal(this.codec, bytes, mime) : bytes;
    // Write then rename: a reader never sees half a file, and two uploads of the same photo race harmlessly.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, content);
    await rename(tmp, file);
    return { id, mime, bytes: bytes.length };
  }

  async get(id: string): Promise<StoredImage | undefined> {
    if (!ID.test(id)) return undefined;
    for (const [mime, ext] of Object.entries(EXT) as [ImageRef['mime'], string][]) {
      for (const sealed of this.codec ? [true, false] : [false]) {
        let content: Buffer;
        try {
          content = await readFile(path.join(this.dir, `${id}.${ext}${sealed ? SEALED : ''}`));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          continue;
        }
        const bytes = sealed ? await unseal(this.codec!, content) : content;
        return { ref: { id, mime, bytes: bytes.length }, bytes };
      }
    }
    return undefined;
  }
}

const SEALED = '.sealed';

/** The key photo ids are keyed with, derived from the gateway secret (never the secret itself). */
export function imageIdKey(secret: string | Buffer): Buffer {
  return createHmac('sha256', secret).update('switchboard image ids v1').digest();
}
const ProtoPayload = temporal.api.common.v1.Payload;

/** The photo as a binary payload through the codec, serialized (the codec's wire form, as in a history). */
async function seal(codec: PayloadCodec, bytes: Buffer, mime: ImageRef['mime']): Promise<Buffer> {
  const [sealed] = await codec.encode([{ metadata: { encoding: Buffer.from('binary/plain'), mime: Buffer.from(mime) }, data: bytes }]);
  return Buffer.from(ProtoPayload.encode(sealed!).finish());
}

async function unseal(codec: PayloadCodec, content: Buffer): Promise<Buffer> {
  const decoded = ProtoPayload.decode(content);
  const [plain] = await codec.decode([{ metadata: decoded.metadata ?? {}, data: decoded.data ?? new Uint8Array() }]);
  return Buffer.from(plain!.data ?? new Uint8Array());
}
