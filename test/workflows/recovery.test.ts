/**
 * A conversation Temporal lost, written to again by a client that had seen
 * entries up to seq 6 (issue 7): the gateway passes `recoveredAfterSeq`, and
 * the new run numbers after it and opens with a notice in the customer's
 * language — the client never meets a second seq 1. A bad value fails the
 * start instead of being guessed at.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorCode, transcriptQuery } from '../../src/workflows/contract';
import { fakeActivities, startConversation, startTestEnv, waitForEntries, type TestEnv } from './support';

let t: TestEnv;
beforeAll(async () => {
  t = await startTestEnv();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

it('numbers after the seq the client had seen and says, in English, that the earlier part was lost', async () => {
  const { activities } = fakeActivities();
  const { taskQueue } = await t.worker(activities);
  const h = await startConversation(t.client, taskQueue, 'where is my order 100000000001?', { recoveredAfterSeq: 6 });
  const transcript = await waitForEntries(h, 1);
  expect(transcript.map((e) => [e.seq, e.from])).toEqual([
    [7, 'system'],
    [8, 'customer'],
    [9, 'bot'],
  ]);
  expect(transcript[0].text).toBe("The earlier part of this conversation was lost on our side. Please tell us again what you need, and we'll take it from here.");
  expect((await h.query(transcriptQuery, 8)).map((e) => e.seq)).toEqual([9]);
  await t.terminate(h);
});

it('says it in Chinese to a Chinese conversation', async () => {
  const { activities } = fakeActivities();
  const { taskQueue } = await t.worker(activities);
  const h = await startConversation(t.client, taskQueue, '你好', { recoveredAfterSeq: 3, locale: 'zh' });
  const transcript = await waitForEntries(h, 1);
  expect(transcript[0]).toMatchObject({ seq: 4, from: 'system', text: '由于我们这边的原因，本次对话之前的内容已丢失。请再告诉我们一次您需要什么，我们会从这里继续为您处理。' });
  await t.terminate(h);
});

it('refuses a recoveredAfterSeq that is not a positive integer: the start fails with invalid_input', async () => {
  const { activities } = fakeActivities();
  const { taskQueue } = await t.worker(activities);
  const h = await startConversation(t.client, taskQueue, 'hello', { recoveredAfterSeq: -2 });
  const error = await h.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect((error as WorkflowFailedError).cause).toBeInstanceOf(ApplicationFailure);
  expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe(ErrorCode.InvalidInput);
});
