/**
 * Client connection to Temporal (real cluster or the embedded server: the
 * code only ever sees an address).
 */
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type GrpcRetryOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';

export interface TemporalClient {
  connection: Connection;
  client: Client;
  close(): Promise<void>;
}

/**
 * Connects and checks the namespace exists, so a wrong address or namespace
 * fails at start-up with a clear error instead of at the first request.
 */
export async function connectClient(
  address: string,
  namespace: string,
  options: {
    /** From src/temporal/codec.ts (dataConverterFromConfig): the same on every client and worker. */
    dataConverter?: DataConverter;
  } = {},
): Promise<TemporalClient> {
  const retries = new DrainableRetries();
  const connection = await Connection.connect({ address, interceptors: [makeGrpcRetryInterceptor(retries.options)] });
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch (error) {
    await connection.close();
    throw new Error(`Temporal at ${address} has no namespace "${namespace}" or is not reachable: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const client = new Client({ connection, namespace, ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}) });
  return {
    connection,
    client,
    close: async () => {
      await retries.drain();
      await connection.close();
    },
  };
}

/** Longest wait for a scheduled retry at close (the SDK's back-off never exceeds 5 s). */
const MAX_DRAIN_MS = 6_000;

/**
 * The SDK's own retry policy for client calls, plus a way to close cleanly:
 * a call that failed with a retryable status waits on a back-off timer, and
 * a timer firing after the connection closed throws "Channel has been shut
 * down" from the timer, an uncaught exception (it failed test files whose
 * tests had all passed, after a Temporal restart). `drain()` stops new
 * retries and waits until the last scheduled one has fired.
 */
class DrainableRetries {
  private closing = false;
  private lastRetryAt = 0;
  private readonly base = defaultGrpcRetryOptions();

  readonly options: GrpcRetryOptions = {
    delayFunction: (attempt, status) => {
      const delay = this.base.delayFunction(attempt, status);
      this.lastRetryAt = Math.max(this.lastRetryAt, Date.now() + delay);
      return delay;
    },
    retryableDecider: (attempt, status) => !this.closing && this.base.retryableDecider(attempt, status),
  };

  async drain(): Promise<void> {
    this.closing = true;
    const wait = Math.min(this.lastRetryAt - Date.now(), MAX_DRAIN_MS);
    // A little past the timer: the retried call is then under way on an open channel.
    if (wait > 0) await new Promise((r) => setTimeout(r, wait + 50));
  }
}
