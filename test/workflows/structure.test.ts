/**
 * The structural half of "the AI is silent while a human has the
 * conversation": QUEUED and HUMAN phase code cannot reach the AI activities,
 * not even through another module. (takeover.test.ts checks the behaviour.)
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const WORKFLOWS = resolve(__dirname, '../../src/workflows');

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  // `import type` is erased before bundling: it reaches nothing at run time.
  const specs = [...source.matchAll(/^\s*(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) => {
      const base = resolve(dirname(file), s);
      return [`${base}.ts`, join(base, 'index.ts')].find(existsSync) ?? `${base}.ts`;
    });
}

/** Every module reachable from `entry` through relative imports. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0 && seen.size < 500) {
    const file = stack.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    stack.push(...importsOf(file));
  }
  return seen;
}

const AI_PROXIES = join(WORKFLOWS, 'ai-activities.ts');

describe('workflow module structure', () => {
  it.each(['phases/queued.ts', 'phases/human.ts', 'runtime.ts', 'desk-activities.ts'])('%s cannot reach the AI activities', (file) => {
    const modules = reachable(join(WORKFLOWS, file));
    expect(modules.size).toBeGreaterThan(1);
    expect([...modules]).not.toContain(AI_PROXIES);
    for (const m of modules) expect(readFileSync(m, 'utf8')).not.toMatch(/\b(understand|phraseReply|summarizeHandover)\s*\(/);
  });

  it('only the AI phase imports the AI activities', () => {
    const importers = ['conversation.ts', 'runtime.ts', 'desk-activities.ts', 'phases/ai.ts', 'phases/queued.ts', 'phases/human.ts'].filter((f) =>
      importsOf(join(WORKFLOWS, f)).includes(AI_PROXIES),
    );
    expect(importers).toEqual(['phases/ai.ts']);
  });

  it('proxies activities in exactly two modules', () => {
    const all = reachable(join(WORKFLOWS, 'index.ts'));
    const proxying = [...all].filter((f) => /proxy(Local)?Activities\s*</.test(readFileSync(f, 'utf8'))).map((f) => f.slice(WORKFLOWS.length + 1));
    expect(proxying.sort()).toEqual(['ai-activities.ts', 'desk-activities.ts']);
  });
});
