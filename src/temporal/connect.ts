/**
 * Client connection to Temporal (real cluster or the embedded server: the
 * code only ever sees an address).
 */
import { Client, Connection } from '@temporalio/client';
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
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch (error) {
    await connection.close();
    throw new Error(`Temporal at ${address} has no namespace "${namespace}" or is not reachable: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const client = new Client({ connection, namespace, ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}) });
  return { connection, client, close: () => connection.close() };
}
