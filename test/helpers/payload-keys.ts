/**
 * Payload keys for tests (never for a deployment): the codec runs in the
 * e2e and workflow suites as it does in production, with these keys.
 */
import type { DataConverter } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import { dataConverterFromConfig } from '../../src/temporal/codec';

export const TEST_PAYLOAD_KEY_ID = 'test-1';
export const TEST_PAYLOAD_KEYS = `${TEST_PAYLOAD_KEY_ID}:${Buffer.alloc(32, 7).toString('base64')}`;
/** A second key, for rotation tests. */
export const TEST_PAYLOAD_KEYS_ROTATED = `test-2:${Buffer.alloc(32, 9).toString('base64')},${TEST_PAYLOAD_KEYS}`;

/** The data converter of every test client and worker: the production codec with the test keys. */
export function testDataConverter(): DataConverter {
  return dataConverterFromConfig(loadConfig({ PAYLOAD_KEYS: TEST_PAYLOAD_KEYS }))!;
}
