/**
 * State `npm start` keeps under DATA_DIR so that a restart — a crash
 * included — is invisible to customers: the secret that signs their tokens
 * (when GATEWAY_SECRET is unset), and the payload key that encrypts the
 * conversations in the dev server's SQLite file (when PAYLOAD_KEYS is unset:
 * a key lost with the process would leave every kept conversation unreadable). Production sets GATEWAY_SECRET and shares it
 * across gateways; this file is only for the one-process local service.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newPayloadKeySpec } from './temporal/codec';

/** DATA_DIR/gateway-secret, created (mode 0600) with 32 random bytes the first time. */
export function localGatewaySecret(dataDir: string): { secret: string; file: string; created: boolean } {
  const file = path.resolve(dataDir, 'gateway-secret');
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 16) return { secret, file, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { secret, file, created: true };
}

/** DATA_DIR/payload-keys: `id:base64` entries for PAYLOAD_KEYS, created (0600) with one random key the first time. */
export function localPayloadKeys(dataDir: string): { spec: string; file: string; created: boolean } {
  const file = path.resolve(dataDir, 'payload-keys');
  try {
    const spec = readFileSync(file, 'utf8').trim();
    if (spec.length > 0) return { spec, file, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const spec = newPayloadKeySpec('local-1');
  writeFileSync(file, `${spec}\n`, { mode: 0o600 });
  return { spec, file, created: true };
}
