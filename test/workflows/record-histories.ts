/**
 * Records workflow histories for the replay test from real runs on the
 * embedded server (time skipping), into test/fixtures/histories/*.json.
 *
 *   npx tsx test/workflows/record-histories.ts
 *
 * Re-record after an intentional, versioned change to the workflow; an
 * unintentional change is what the replay test is there to catch.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import {
  agentAssignedSignal,
  agentMessageSignal,
  claimUpdate,
  closeSignal,
  releaseUpdate,
} from '../../src/workflows/contract';
import { defaultSeed } from '../../src/commerce/seed';
import { createUnderstander } from '../../src/nlu';
import { fakeActivities, say, startConversation, startTestEnv, waitForEntries, waitForState, type ConversationHandle, type TestEnv } from './support';

const OUT = join(__dirname, '../fixtures/histories');
/** The real understanding pipeline, where a scenario needs what it reads out of context. */
const nlu = createUnderstander();

type Scenario = (t: TestEnv, taskQueue: string) => Promise<ConversationHandle>;

const scenarios: Record<string, Scenario> = {
  async 'refund-en'(t, tq) {
    const h = await startConversation(t.client, tq, 'I want a refund for order 100000000001', { conversationId: 'replay-refund-en' });
    await waitForEntries(h, 1);
    for (const [i, text] of ['it stopped working', 'store credit please', 'yes'].entries()) {
      await say(h, text, `r-en-${i}`);
      await waitForEntries(h, i + 2);
    }
    await h.signal(closeSignal, { by: 'customer' });
    return h;
  },
  async 'refund-zh'(t, tq) {
    const h = await startConversation(t.client, tq, '我要退款，订单号100000000006', {
      conversationId: 'replay-refund-zh',
      locale: 'zh',
      customer: { id: 'cust-cn-1', name: '王小明', tier: 'regular' },
    });
    await waitForEntries(h, 1);
    for (const [i, text] of ['质量有问题', '原路退回', '确认'].entries()) {
      await say(h, text, `r-zh-${i}`);
      await waitForEntries(h, i + 2);
    }
    await h.signal(closeSignal, { by: 'customer' });
    return h;
  },
  async 'escalate-claim-release'(t, tq) {
    const h = await startConversation(t.client, tq, 'refund order 100000000003', {
      conversationId: 'replay-escalate',
      customer: { id: 'cust-vip-1', name: 'Victoria Park', tier: 'vip' },
    });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    await say(h, 'hello? still waiting', 'e-1');
    await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-1', agentName: 'Dana' }], updateId: 'claim-1' });
    await h.signal(agentMessageSignal, { agentId: 'agent-1', messageId: 'a-1', text: 'I approved the refund.' });
    await waitForEntries(h, 1, 'agent');
    await h.executeUpdate(releaseUpdate, { args: [{ agentId: 'agent-1', to: 'ai' }], updateId: 'release-1' });
    await say(h, 'where is my order 100000000003', 'e-2');
    await waitForEntries(h, 2);
    await h.signal(closeSignal, { by: 'customer' });
    return h;
  },
  /** An anonymous customer verifies by email; the tracking lookup is slow enough for the "checking…" notice. */
  async 'anonymous-verify-progress'(t, tq) {
    const h = await startConversation(t.client, tq, 'where is my order 100000000002', {
      conversationId: 'replay-verify',
      customer: { id: 'anon-replay', tier: 'regular', anonymous: true },
    });
    await waitForEntries(h, 1);
    await say(h, 'bob@example.com', 'v-1');
    await waitForEntries(h, 3);
    await h.signal(closeSignal, { by: 'customer' });
    return h;
  },
  /** The agent sets up a refund, hands back with a note; the AI continues it. */
  async 'release-with-context'(t, tq) {
    const h = await startConversation(t.client, tq, 'I want to talk to a human', { conversationId: 'replay-handback', customer: { id: 'cust-1001', name: 'Alice Johnson', tier: 'regular' } });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-4', agentName: 'Kim' }], updateId: 'claim-4' });
    await h.signal(agentMessageSignal, { agentId: 'agent-4', messageId: 'a-4', text: 'Which order is it about?' });
    await say(h, '100000000001, it arrived broken', 'c-4');
    await waitForEntries(h, 1, 'agent');
    await h.executeUpdate(releaseUpdate, { args: [{ agentId: 'agent-4', to: 'ai', note: 'customer wants a refund' }], updateId: 'release-4' });
    await say(h, 'ok please go ahead with the refund', 'c-5');
    await waitForEntries(h, 2);
    await h.signal(closeSignal, { by: 'customer' });
    return h;
  },
  async 'overflow-timer'(t, tq) {
    const h = await startConversation(t.client, tq, 'human please', { conversationId: 'replay-overflow' });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    await t.env.sleep(10 * 60_000 + 1000);
    await waitForState(h, (s) => s.escalation?.reasons.includes('wait_limit') === true, 'overflow');
    await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-2', agentName: 'Lee' }], updateId: 'claim-2' });
    await h.signal(closeSignal, { by: 'agent', agentId: 'agent-2', resolution: 'called back' });
    return h;
  },
  async 'takeover-mid-turn'(t, tq) {
    const h = await startConversation(t.client, tq, 'hello', { conversationId: 'replay-takeover' });
    await new Promise((r) => setTimeout(r, 300));
    await h.signal(agentAssignedSignal, { agentId: 'agent-3', agentName: 'Sam' });
    await waitForState(h, (s) => s.phase === 'human', 'human');
    await h.signal(closeSignal, { by: 'operator', resolution: 'test' });
    return h;
  },
};

/**
 * protobufjs JSON of temporal.api.history.v1.History (enums by name, int64 as
 * strings, bytes in base64); the replay test reads it back with
 * `History.fromObject`. Not the SDK's historyToJSON: with protobufjs 7 hoisted
 * to the top of node_modules by another dependency, each @temporalio package
 * gets its own protobufjs 8 copy and historyToJSON/historyFromJSON fail with
 * "type must be a Type".
 */
export function historyFileText(history: temporal.api.history.v1.IHistory): string {
  const message = temporal.api.history.v1.History.fromObject(history);
  return JSON.stringify(temporal.api.history.v1.History.toObject(message, { longs: String, enums: String, bytes: String }), null, 1) + '\n';
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const t = await startTestEnv();
  try {
    for (const [name, scenario] of Object.entries(scenarios)) {
      // The takeover scenario needs a turn that is still running when the agent arrives.
      const slow = name === 'takeover-mid-turn';
      const { activities } = fakeActivities(
        slow
          ? { phraseReply: async (input) => new Promise((r) => setTimeout(() => r(input.draft), 1500)) }
          : name === 'anonymous-verify-progress'
            ? { trackShipment: async ({ orderNumber }) => new Promise((r) => setTimeout(() => r(defaultSeed().shipments.find((s) => s.orderNumber === orderNumber)!), 2500)) }
            : name === 'release-with-context'
              ? { understand: (input) => nlu.understand(input) }
              : {},
      );
      const { taskQueue } = await t.worker(activities);
      const h = await scenario(t, taskQueue);
      await h.result();
      const history = await h.fetchHistory();
      writeFileSync(join(OUT, `${name}.json`), historyFileText(history));
      console.log(`${name}: ${history.events?.length ?? 0} events`);
    }
  } finally {
    await t.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
