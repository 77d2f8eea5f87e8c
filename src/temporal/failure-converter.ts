/**
 * The failure converter of every client, worker and workflow bundle when
 * payloads are encrypted (src/temporal/codec.ts, `failureConverterPath`):
 * the SDK's own, with `encodeCommonAttributes` on, so a failure's message
 * and stack trace travel as a payload (`encodedAttributes`) that the payload
 * codec seals. Without it an activity failure ("order 100000000001 …", a
 * tool's error text) lay in the history in clear beside sealed payloads.
 *
 * Readers lose nothing: the SDK decodes the attributes back on every client
 * and worker whatever its own setting, the operator history shows them
 * decoded (and masked), and the Web UI decodes them through the codec
 * endpoint. Histories written before keep their clear messages and replay.
 *
 * Loaded by path, also inside the workflow sandbox: it imports nothing but
 * @temporalio/common.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
