/**
 * The replay every workflow suite runs when it closes (support.ts
 * replayStarted): it replays what the suite produced, and it does fail when
 * the code no longer matches a history.
 */
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/codec';
import { fakeActivities, replayStarted, say, startConversation, startTestEnv, waitForEntries, type TestEnv } from './support';

let t: TestEnv;
beforeAll(async () => {
  t = await startTestEnv();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

it('replays the conversations a suite started, and names the ones a changed workflow no longer replays', async () => {
  const { activities } = fakeActivities();
  const { taskQueue } = await t.worker(activities);
  const h = await startConversation(t.client, taskQueue, 'I want a refund for order 100000000001');
  await waitForEntries(h, 1);
  await say(h, 'it broke after a week');
  await waitForEntries(h, 2);
  expect(await replayStarted(t.client, t.bundle)).toEqual([]);

  const changed = await bundleWorkflowCode({
    workflowsPath: require.resolve('./variants/conversation-changed'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('ERROR'),
  });
  const failures = await replayStarted(t.client, changed);
  expect(failures).toHaveLength(1);
  expect(failures[0]).toContain(h.workflowId);
  await t.terminate(h);
}, 120_000);
