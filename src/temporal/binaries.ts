/**
 * Where Temporal's own binaries are: the project-local install that
 * `npm run temporal:install` makes (`.tools/bin`), then the PATH. `npm start`
 * looks for the CLI here; the test suites look for both.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The project root (this file lives in src/temporal). */
export const PROJECT_ROOT = path.resolve(__dirname, '../..');
/** Where `npm run temporal:install` puts the binaries (`SWITCHBOARD_TOOLS_DIR` overrides `.tools`). */
export const TOOLS_BIN = path.join(process.env.SWITCHBOARD_TOOLS_DIR ?? path.join(PROJECT_ROOT, '.tools'), 'bin');

export type TemporalBinary = 'temporal' | 'temporal-test-server';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binary's path, or undefined when neither `.tools/bin` nor the PATH has it. */
export function findTemporalBinary(name: TemporalBinary, searchPath: string = process.env.PATH ?? ''): string | undefined {
  const local = path.join(TOOLS_BIN, name);
  if (executable(local)) return local;
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** Like {@link findTemporalBinary}, but an Error that says how to install it. */
export function requireTemporalBinary(name: TemporalBinary): string {
  const found = findTemporalBinary(name);
  if (!found) {
    throw new Error(`${name} is not installed (looked in ${TOOLS_BIN} and on the PATH): run \`npm run temporal:install\``);
  }
  return found;
}
