/**
 * Replays recorded conversation histories (test/fixtures/histories, written
 * by test/workflows/record-histories.ts from real runs) against the current
 * workflow code: a change that would break running conversations fails here.
 * The negative case replays with a deliberately changed workflow and must
 * raise a DeterminismViolationError.
 */
import { patchIdsOf } from './helpers/histories';
import { bundleSwitchboardWorkflows } from './helpers/workflow-bundle';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { loadConfig } from '../src/config';
import { isEncrypted, payloadCodecFromConfig } from '../src/temporal/codec';
import { ANSWERS_BEFORE_VERIFICATION, NO_LOCAL_ACTIVITIES, ROUTING_ENTITIES } from '../src/workflows/runtime';
import { TEST_PAYLOAD_KEYS, testDataConverter } from './helpers/payload-keys';

const DIR = join(__dirname, 'fixtures/histories');
const all = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

const files = all;
/** Recordings made since the answers-before-verification patch, of a turn it decides. */
const AFTER_EARLY_ANSWERS = ['anonymous-early-reason.json'];

function load(file: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
}

/**
 * The history as a worker with the payload codec would have written it:
 * every payload the SDK passes through the codec is sealed. Not sealed, as
 * in a real history: search attribute values (indexed by the server),
 * core's local-activity marker bookkeeping (details.data; the activity's
 * result, details.result, is sealed) and core's patch markers.
 */
async function seal(history: temporal.api.history.v1.History, codec: PayloadCodec): Promise<temporal.api.history.v1.History> {
  const copy = temporal.api.history.v1.History.decode(temporal.api.history.v1.History.encode(history).finish());
  const visit = async (value: unknown, key: string, parentKey: string, depth: number): Promise<void> => {
    if (depth > 40 || value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
    if (key === 'searchAttributes' || (parentKey === 'details' && key === 'data')) return;
    const obj = value as Record<string, unknown>;
    // Core reads its patch markers itself, in clear; the codec never sees them.
    if (obj.markerName === 'core_patch') return;
    if (Array.isArray(obj.payloads)) {
      // Fixtures recorded with the codec are sealed already: seal only what is in clear.
      obj.payloads = await Promise.all((obj.payloads as Payload[]).map(async (p) => (isEncrypted(p) ? p : (await codec.encode([p]))[0]!)));
      return;
    }
    for (const [k, v] of Object.entries(obj)) {
      if (Array.isArray(v)) for (const item of v) await visit(item, k, key, depth + 1);
      else await visit(v, k, key, depth + 1);
    }
  };
  await visit(copy, '', '', 0);
  return copy;
}

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  try {
    // The negative case makes core log the nondeterminism it found; keep the output to errors.
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  } catch {
    // Installed already in this process.
  }
  bundle = await bundleSwitchboardWorkflows();
}, 120_000);

describe('replay of recorded histories', () => {
  const SCENARIOS = ['anonymous-verify-progress', 'escalate-claim-release', 'overflow-timer', 'refund-en', 'refund-zh', 'release-with-context', 'takeover-mid-turn'];
  // Scenarios of workflows and features that never ran with local activities (routing entities, service levels).
  const SINCE_PATCH = ['abandoned', 'after-hours', 'anonymous-early-reason', 'routing-agent', 'routing-conversation', 'routing-router', 'service-levels'];
  // Escalated runs recorded after the no-local-activities patch and before routing (the ROUTING_ENTITIES patch):
  // with the LA-era ones of the same scenarios they replay down the pre-routing queue path.
  const BEFORE_ROUTING = ['escalate-claim-release', 'overflow-timer', 'release-with-context', 'takeover-mid-turn'];

  it('has the recorded scenarios, as the workflow runs now and as runs recorded with local activities', () => {
    expect(all).toEqual(
      [
        ...SCENARIOS.flatMap((name) => [`${name}.json`, `${name}.local-activities.json`]),
        ...SINCE_PATCH.map((n) => `${n}.json`),
        ...BEFORE_ROUTING.map((n) => `${n}.before-routing.json`),
      ].sort(),
    );
  });

  it('covers both sides of the no-local-activities patch', () => {
    const markers = (f: string) => (load(f).events ?? []).map((e) => e.markerRecordedEventAttributes?.markerName).filter(Boolean);
    for (const name of SCENARIOS) {
      // Recorded before the patch: local-activity markers, no patch marker; replays down the old branch.
      expect(markers(`${name}.local-activities.json`)).toContain('core_local_activity');
      expect(markers(`${name}.local-activities.json`)).not.toContain('core_patch');
      // Recorded now: the patch marker, no local activity at all.
      expect(markers(`${name}.json`)).toContain('core_patch');
      expect(markers(`${name}.json`)).not.toContain('core_local_activity');
    }
  });

  it('replays every history with the current workflow code', async () => {
    const histories = files.map((f) => ({ workflowId: f.replace('.json', ''), history: load(f) }));
    const results: { workflowId: string; error?: unknown }[] = [];
    // With the codec, as the workers run: recorded fixtures may be plain (before the codec) or sealed.
    for await (const r of Worker.runReplayHistories({ workflowBundle: bundle, dataConverter: testDataConverter(), replayName: 'switchboard-replay' }, histories)) {
      results.push({ workflowId: r.workflowId, error: r.error });
    }
    expect(results.map((r) => r.workflowId)).toEqual(histories.map((h) => h.workflowId));
    expect(results.filter((r) => r.error)).toEqual([]);
  }, 120_000);

  it('replays every history with the payload codec in place: as recorded, and with every payload sealed', async () => {
    const codec = payloadCodecFromConfig(loadConfig({ PAYLOAD_KEYS: TEST_PAYLOAD_KEYS }))!;
    const dataConverter = { payloadCodecs: [codec] };
    const plain = files.map((f) => ({ workflowId: f.replace('.json', ''), history: load(f) }));
    const sealed = await Promise.all(files.map(async (f) => ({ workflowId: `${f.replace('.json', '')}-sealed`, history: await seal(load(f), codec) })));
    // The conversion really sealed them: customer text the recorded histories hold in clear is gone.
    const said = ['it stopped working', '质量有问题'].map((t) => Buffer.from(t).toString('latin1'));
    const bytesOf = (h: temporal.api.history.v1.History) => Buffer.from(temporal.api.history.v1.History.encode(h).finish()).toString('latin1');
    for (const text of said) {
      expect(plain.some((h) => bytesOf(h.history).includes(text))).toBe(true);
      expect(sealed.some((h) => bytesOf(h.history).includes(text))).toBe(false);
    }
    const results: { workflowId: string; error?: unknown }[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: bundle, dataConverter, replayName: 'switchboard-replay-codec' }, [...plain, ...sealed])) {
      results.push({ workflowId: r.workflowId, error: r.error });
    }
    expect(results).toHaveLength(plain.length * 2);
    expect(results.filter((r) => r.error)).toEqual([]);
    // Without the codec the sealed ones cannot be read at all.
    await expect(Worker.runReplayHistory({ workflowBundle: bundle, replayName: 'switchboard-replay-no-codec' }, sealed[0]!.history)).rejects.toThrow(
      // The reason ("Unknown encoding: binary/encrypted") travels inside the failure's encoded attributes.
      /Replay failed[\s\S]*Encoded failure/,
    );
  }, 120_000);

  it('covers both sides of the routing patch: escalated runs from before it, and every run recorded now', () => {
    const patches = (f: string) => patchIdsOf(load(f));
    for (const name of BEFORE_ROUTING) {
      expect(patches(`${name}.before-routing.json`)).toEqual([NO_LOCAL_ACTIVITIES]);
      expect(patches(`${name}.local-activities.json`)).toEqual([]);
    }
    for (const f of all.filter((f) => !f.endsWith('.local-activities.json') && !f.endsWith('.before-routing.json'))) {
      // The conversation's recordings carry both patches; the routing entities' own workflows have none.
      if (f.startsWith('routing-agent') || f.startsWith('routing-router')) expect(patches(f)).toEqual([]);
      else if (AFTER_EARLY_ANSWERS.includes(f)) expect(patches(f)).toEqual([NO_LOCAL_ACTIVITIES, ROUTING_ENTITIES, ANSWERS_BEFORE_VERIFICATION]);
      else expect(patches(f)).toEqual([NO_LOCAL_ACTIVITIES, ROUTING_ENTITIES]);
    }
  });

  it('covers both sides of the answers-before-verification patch', () => {
    // Recorded before it: an anonymous customer asked for the contact, none of the patch's turns marked.
    expect(all).toContain('anonymous-verify-progress.json');
    expect(patchIdsOf(load('anonymous-verify-progress.json'))).not.toContain(ANSWERS_BEFORE_VERIFICATION);
    // Recorded since: the reason before the phone, kept (the replay above runs both).
    const drafts = (load('anonymous-early-reason.json').events ?? []).flatMap((e) =>
      e.activityTaskScheduledEventAttributes?.activityType?.name === 'phraseReply'
        ? (e.activityTaskScheduledEventAttributes.input?.payloads ?? []).map((p) => (JSON.parse(Buffer.from(p.data!).toString('utf8')) as { draft: string }).draft)
        : [],
    );
    expect(drafts).toContain('好的，已记下。为保护您的账户安全，请先提供订单 100000000006 下单时使用的邮箱或手机号。');
  });

  it('fails with a determinism error when the workflow changed incompatibly', async () => {
    const replay = Worker.runReplayHistory(
      { workflowsPath: require.resolve('./workflows/variants/conversation-changed'), dataConverter: testDataConverter(), replayName: 'switchboard-replay-changed' },
      load('refund-en.json'),
    );
    await expect(replay).rejects.toBeInstanceOf(DeterminismViolationError);
  }, 120_000);
});
