import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../../src/nlu/training-data';
import { INTENTS } from '../../src/workflows/contract';
import { startFakeOpenAi } from '../helpers/fake-openai';

const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(REPO_ROOT, 'src', 'nlu', 'classify-cli.ts');

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const copy = { ...process.env };
  delete copy.OPENAI_API_KEY;
  delete copy.OPENAI_BASE_URL;
  return { ...copy, ...extra };
}

function start(command = TSX, args = [CLI], extraEnv: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  return spawn(command, args, { cwd: REPO_ROOT, env: env(extraEnv), stdio: 'pipe' });
}

async function runAll(
  input: string,
  command?: string,
  args?: string[],
  extraEnv?: NodeJS.ProcessEnv,
): Promise<{ lines: string[]; code: number | null }> {
  const child = start(command, args, extraEnv);
  const out: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { lines: Buffer.concat(out).toString('utf8').split('\n').filter(Boolean), code };
}

describe('classify CLI', () => {
  test('one answer per input line, in order; a malformed line gets an error and the rest go on', async () => {
    const inputs = [
      '{"text": "where is my order 100000000002"}',
      'not json at all',
      '{"text": "转人工"}',
      '{"txt": "missing text field"}',
      '["an", "array"]',
      '{"text": 42}',
      '{"text": "hi"}',
      '{"text": "我要退款"}',
    ];
    const { lines, code } = await runAll(`${inputs.join('\n')}\n`);
    expect(code).toBe(0);
    expect(lines).toHaveLength(inputs.length);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ intent: 'track_order' });
    expect(parsed[1]).toHaveProperty('error');
    expect(parsed[2]).toEqual({ intent: 'contact_human_agent', confidence: 0.97, layer: 'rule' });
    expect(parsed[3]).toHaveProperty('error');
    expect(parsed[4]).toHaveProperty('error');
    expect(parsed[5]).toHaveProperty('error');
    expect(parsed[6]).toMatchObject({ intent: 'greeting', layer: 'rule' });
    expect(parsed[7]).toMatchObject({ intent: 'get_refund', layer: 'rule' });
    for (const p of parsed.filter((x) => !('error' in x))) {
      expect(Object.keys(p).sort()).toEqual(['confidence', 'intent', 'layer']);
      expect(INTENTS).toContain(p.intent);
      expect(p.confidence).toBeGreaterThanOrEqual(0);
      expect(p.confidence).toBeLessThanOrEqual(1);
      expect(['rule', 'model']).toContain(p.layer);
    }
  });

  test('streams: each answer comes out before the next line is sent', async () => {
    const child = start();
    const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const texts = ['where is my order', '我的积分有多少', 'bye'];
    const got: string[] = [];
    try {
      for (const text of texts) {
        child.stdin.write(`${JSON.stringify({ text })}\n`);
        // Bounded wait: the answer must arrive while stdin is still open.
        const next = await Promise.race([
          answers.next(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 20 s')), 20_000)),
        ]);
        got.push((JSON.parse(next.value as string) as { intent: string }).intent);
      }
    } finally {
      child.stdin.end();
      await new Promise((resolve) => child.on('close', resolve));
    }
    expect(got).toEqual(['track_order', 'points_inquiry', 'goodbye']);
  });

  test('works through `npm run --silent classify` with nothing else on stdout', async () => {
    const { lines, code } = await runAll('{"text":"how much is the X200 laptop"}\n\n{"text":"可以用支付宝吗"}\n', 'npm', [
      'run',
      '--silent',
      'classify',
    ]);
    expect(code).toBe(0);
    expect(lines.map((l) => (JSON.parse(l) as { intent: string }).intent)).toEqual(['price_inquiry', 'check_payment_methods']);
  });

  test('with OPENAI_API_KEY, only unsure messages go to the LLM; a failing LLM falls back to the local answer', async () => {
    const fake = await startFakeOpenAi();
    try {
      fake.enqueue({ json: { intent: 'complaint', confidence: 0.8, entities: {} } }, { status: 500 });
      const unsure = 'hmm so about that thing from before';
      const { lines, code } = await runAll(
        [{ text: '转人工' }, { text: unsure }, { text: unsure }].map((x) => JSON.stringify(x)).join('\n') + '\n',
        TSX,
        [CLI],
        { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url },
      );
      expect(code).toBe(0);
      const parsed = lines.map((l) => JSON.parse(l) as { intent: string; layer: string });
      expect(parsed).toHaveLength(3);
      expect(parsed[0]).toMatchObject({ intent: 'contact_human_agent', layer: 'rule' });
      expect(parsed[1]).toMatchObject({ intent: 'complaint', layer: 'llm' });
      expect(parsed[2]!.layer).toBe('model');
      expect(fake.requests).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });
});
