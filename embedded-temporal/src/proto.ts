/**
 * Loads the Temporal API protos that ship with the SDK's core bridge, so the
 * server speaks exactly the wire format the worker and client were built
 * against. proto-loader gives plain objects: camelCase fields, int64 as
 * numbers, enums as their string names, and no defaults (field presence
 * matters for Durations and Timestamps). `google.protobuf.Any` keeps the
 * snake_case `type_url`; the core drops responses whose Any has no URL.
 */
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { temporal, google } from '@temporalio/proto';
import type { AnyMessage } from './wire';

const PROTO_ROOT = path.join(
  path.dirname(require.resolve('@temporalio/core-bridge/package.json')),
  'sdk-core/crates/protos/protos',
);

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
  includeDirs: [path.join(PROTO_ROOT, 'api_upstream'), path.join(PROTO_ROOT, 'testsrv_upstream'), PROTO_ROOT],
};

export interface LoadedServices {
  workflowService: grpc.ServiceDefinition;
  operatorService: grpc.ServiceDefinition;
  testService: grpc.ServiceDefinition;
}

let cached: LoadedServices | undefined;

interface ServiceCtor {
  service: grpc.ServiceDefinition;
}

function lookupService(root: grpc.GrpcObject, dotted: string): grpc.ServiceDefinition {
  let node: unknown = root;
  for (const part of dotted.split('.')) node = (node as Record<string, unknown>)[part];
  const ctor = node as ServiceCtor | undefined;
  if (!ctor?.service) throw new Error(`service ${dotted} not found in protos`);
  return ctor.service;
}

export function loadServices(): LoadedServices {
  if (cached) return cached;
  const definition = protoLoader.loadSync(
    [
      'temporal/api/workflowservice/v1/service.proto',
      'temporal/api/operatorservice/v1/service.proto',
      'temporal/api/testservice/v1/service.proto',
    ],
    LOADER_OPTIONS,
  );
  const root = grpc.loadPackageDefinition(definition);
  cached = {
    workflowService: lookupService(root, 'temporal.api.workflowservice.v1.WorkflowService'),
    operatorService: lookupService(root, 'temporal.api.operatorservice.v1.OperatorService'),
    testService: lookupService(root, 'temporal.api.testservice.v1.TestService'),
  };
  return cached;
}

interface ReflectedType {
  fromObject(o: Record<string, unknown>): unknown;
  encode(m: unknown): { finish(): Uint8Array };
  decode(b: Uint8Array): unknown;
  toObject(m: unknown, opts: Record<string, unknown>): Record<string, unknown>;
}

/** Same conversions as the gRPC loader, so packed messages look like every other request field. */
const TO_OBJECT = { longs: Number, enums: String, defaults: false, oneofs: true };

function reflectedType(fullName: string): ReflectedType {
  // @temporalio/proto is a reflection root over the same protos; it can encode any message type by name.
  const found = (temporal as unknown as { lookupType?: unknown }).lookupType
    ? (temporal as unknown as { lookupType(n: string): ReflectedType }).lookupType(fullName)
    : undefined;
  if (!found) throw new Error(`unknown message type ${fullName}`);
  return found;
}

export function packAny(fullName: string, message: Record<string, unknown>): AnyMessage {
  const type = reflectedType(fullName);
  return { type_url: `type.googleapis.com/${fullName}`, value: Buffer.from(type.encode(type.fromObject(message)).finish()) };
}

export function unpackAny(any: AnyMessage | undefined, fullName: string): Record<string, unknown> | undefined {
  if (!any?.value) return undefined;
  const url = any.type_url ?? '';
  if (url && !url.endsWith(`/${fullName}`)) return undefined;
  const type = reflectedType(fullName);
  return type.toObject(type.decode(any.value), TO_OBJECT);
}

/** `grpc-status-details-bin` value: a google.rpc.Status carrying typed failure details. */
export function encodeStatusDetails(code: number, message: string, details: AnyMessage[]): Buffer {
  const Status = google.rpc.Status;
  return Buffer.from(
    Status.encode(Status.fromObject({ code, message, details: details.map((d) => ({ type_url: d.type_url, value: d.value })) })).finish(),
  );
}
