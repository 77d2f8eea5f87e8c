/**
 * Replays recorded conversation histories (test/fixtures/histories, written
 * by test/workflows/record-histories.ts from real runs) against the current
 * workflow code: a change that would break running conversations fails here.
 * The negative case replays with a deliberately changed workflow and must
 * raise a DeterminismViolationError.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { WORKFLOWS_PATH } from '../worker';

const DIR = join(__dirname, 'fixtures/histories');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

function load(file: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
}

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  try {
    // The negative case makes core log the nondeterminism it found; keep the output to errors.
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  } catch {
    // Installed already in this process.
  }
  bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });
}, 120_000);

describe('replay of recorded histories', () => {
  it('has the recorded scenarios', () => {
    expect(files).toEqual(['anonymous-verify-progress.json', 'escalate-claim-release.json', 'overflow-timer.json', 'refund-en.json', 'refund-zh.json', 'release-with-context.json', 'takeover-mid-turn.json']);
  });

  it('replays every history with the current workflow code', async () => {
    const histories = files.map((f) => ({ workflowId: f.replace('.json', ''), history: load(f) }));
    const results: { workflowId: string; error?: unknown }[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'switchboard-replay' }, histories)) {
      results.push({ workflowId: r.workflowId, error: r.error });
    }
    expect(results.map((r) => r.workflowId)).toEqual(histories.map((h) => h.workflowId));
    expect(results.filter((r) => r.error)).toEqual([]);
  }, 120_000);

  it('fails with a determinism error when the workflow changed incompatibly', async () => {
    const replay = Worker.runReplayHistory(
      { workflowsPath: require.resolve('./workflows/variants/conversation-changed'), replayName: 'switchboard-replay-changed' },
      load('refund-en.json'),
    );
    await expect(replay).rejects.toBeInstanceOf(DeterminismViolationError);
  }, 120_000);
});
