/**
 * What can be checked of the packaging without a Docker engine: the compose
 * file parses and has the services the README promises, every variable the
 * app containers get is one src/config.ts reads, .env.example lists exactly
 * the configuration with its real defaults, and every command the images run
 * is an npm script whose entry file exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

/** npm run <name> → the script exists and the file it runs with tsx exists. */
function expectRunnable(command: string[]): void {
  expect(command.slice(0, 2)).toEqual(['npm', 'run']);
  const script = scripts[command[2]];
  expect(script).toBeDefined();
  const file = /^(?:node --import )?tsx (\S+)$/.exec(script)?.[1];
  expect(file).toBeDefined();
  expect(existsSync(path.join(ROOT, file!))).toBe(true);
}

describe('docker-compose.yml', () => {
  it('has the whole stack: PostgreSQL, Temporal, Temporal UI, Redis, commerce, worker, gateway', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['commerce', 'gateway', 'postgresql', 'redis', 'temporal', 'temporal-ui', 'worker'].sort(),
    );
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.image) expect({ name, image: service.image }).toEqual({ name, image: expect.stringMatching(/:[0-9][\w.-]*$/) });
      else expect({ name, build: service.build }).toEqual({ name, build: '.' });
    }
    expect(compose.services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(compose.services['temporal-ui'].environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('gives the app containers only variables that src/config.ts reads, wired to the other services', () => {
    for (const name of ['commerce', 'worker', 'gateway']) {
      const env = compose.services[name].environment ?? {};
      const unknown = Object.keys(env).filter((key) => !(CONFIG_VARIABLES as string[]).includes(key));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
    for (const name of ['worker', 'gateway']) {
      const env = compose.services[name].environment!;
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(Object.keys(compose.services[name].depends_on ?? {})).toEqual(expect.arrayContaining(['temporal', 'redis']));
    }
    expect(compose.services.worker.environment!.TOOLS_BASE_URL).toBe(`http://commerce:${compose.services.commerce.environment!.COMMERCE_PORT}`);
    expect(compose.services.gateway.ports).toEqual([`${compose.services.gateway.environment!.PORT}:${compose.services.gateway.environment!.PORT}`]);
    // The compose defaults themselves must pass validation (an unset ${VAR:-} becomes an empty string).
    const resolved = Object.fromEntries(
      Object.entries(compose.services.gateway.environment!).map(([k, v]) => [k, String(v).replace(/\$\{\w+:-([^}]*)\}/g, '$1')]),
    );
    expect(() => loadConfig(resolved)).not.toThrow();
  });

  it('runs commands that exist as npm scripts with existing entry files', () => {
    expect(compose.services.commerce.command).toEqual(['npm', 'run', 'commerce']);
    expect(compose.services.worker.command).toEqual(['npm', 'run', 'worker']);
    expect(compose.services.gateway.command).toEqual(['npm', 'run', 'gateway']);
    for (const name of ['commerce', 'worker', 'gateway']) expectRunnable(compose.services[name].command!);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('runs an existing npm script and copies only paths that exist', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd).toBeDefined();
    expectRunnable(JSON.parse(cmd!) as string[]);
    const copies = [...dockerfile.matchAll(/^COPY (.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    expect(copies.length).toBeGreaterThan(3);
    for (const source of copies) expect({ source, exists: existsSync(path.join(ROOT, source)) }).toEqual({ source, exists: true });
    expect(dockerfile).toMatch(/^FROM node:20/m);
  });

  it('keeps the files the image needs out of .dockerignore', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const needed of ['src', 'config', 'public', 'worker.ts', 'package.json', 'package-lock.json', 'tsconfig.json', 'data', 'data/nlu', 'data/nlu/model.json']) {
      expect(ignored).not.toContain(needed);
    }
    // The model the NLU loads at start must be in the image.
    expect(read('Dockerfile')).toMatch(/^COPY data\/nlu\/model\.json /m);
    expect(read('src/nlu/model.ts')).toMatch(/model\.json/);
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.env', '.git']));
  });
});

describe('.env.example', () => {
  const entries = read('.env.example')
    .split('\n')
    .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
    .map((line) => {
      const eq = line.indexOf('=');
      return [line.slice(0, eq), line.slice(eq + 1)] as const;
    });

  it('lists every configuration variable exactly once, and nothing else', () => {
    const names = entries.map(([name]) => name);
    expect([...names].sort()).toEqual([...CONFIG_VARIABLES].sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it('shows the real defaults: loading it gives the same config as an empty environment', () => {
    expect(loadConfig(Object.fromEntries(entries))).toEqual(loadConfig({}));
  });

  it('explains each variable in a comment right above it', () => {
    const lines = read('.env.example').split('\n');
    for (const [name] of entries) {
      const i = lines.findIndex((l) => l.startsWith(`${name}=`));
      let j = i - 1;
      while (j >= 0 && /^[A-Z][A-Z0-9_]*=/.test(lines[j])) j--;
      expect({ name, comment: lines[j]?.startsWith('# ') }).toEqual({ name, comment: true });
    }
  });
});
