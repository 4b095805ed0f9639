import { randomUUID } from 'node:crypto';
import { Client, Connection, ServiceError, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ApplicationFailure, NamespaceNotFoundError, PayloadConverterError, ValueError, WorkflowNotFoundError } from '@temporalio/common';
import { GRPC, grpcCode, isTransientTemporalError, temporalErrorReason, temporalHttpError } from '../../src/temporal/grpc-errors';
import { freePort } from '../../src/temporal/dev-server';
import { postJson } from '../helpers/http';
import { startTestSystem, type TestSystem } from '../helpers/system';

/** What the client throws for a failed call: a ServiceError around the raw gRPC error. */
function serviceError(code: number, details: string): ServiceError {
  const grpc = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: { getMap: () => ({}) } });
  return new ServiceError('Failed to query Workflow', { cause: grpc });
}

describe('Temporal errors as HTTP answers', () => {
  it('answers 503 "try again" for a query cancelled while the server restarts (seen as a 500 in the chaos suite)', () => {
    const error = serviceError(GRPC.CANCELLED, 'Call cancelled');
    expect(isTransientTemporalError(error)).toBe(true);
    expect(temporalHttpError(error, 'reach Temporal').status).toBe(503);
  });

  it('answers 503 for a query refused while the workflow task is failed (its worker died mid-task)', () => {
    const error = serviceError(GRPC.FAILED_PRECONDITION, 'Unable to query workflow due to Workflow Task in failed state.');
    expect(temporalHttpError(error, 'reach Temporal').status).toBe(503);
  });

  it('still answers 500 for a permanent refusal (an unregistered search attribute)', () => {
    const error = serviceError(GRPC.INVALID_ARGUMENT, 'Namespace default has no mapping defined for search attribute CustomerId');
    expect(isTransientTemporalError(error)).toBe(false);
    expect(temporalHttpError(error, 'start the campaign workflow').status).toBe(500);
    const other = serviceError(GRPC.FAILED_PRECONDITION, 'Namespace is not active');
    expect(temporalHttpError(other, 'reach Temporal').status).toBe(500);
  });

  it.each([
    ['DEADLINE_EXCEEDED', GRPC.DEADLINE_EXCEEDED],
    ['RESOURCE_EXHAUSTED', GRPC.RESOURCE_EXHAUSTED],
    ['ABORTED', GRPC.ABORTED],
    ['INTERNAL', GRPC.INTERNAL],
    ['UNAVAILABLE', GRPC.UNAVAILABLE],
  ])('counts %s as curable by a retry', (_name, code) => {
    const answer = temporalHttpError(serviceError(code, 'overloaded'), 'reach Temporal');
    expect(answer).toMatchObject({ status: 503, code: 'temporal_unavailable' });
    expect(answer.message).toMatch(/try again/);
  });

  it.each([
    ['INVALID_ARGUMENT', GRPC.INVALID_ARGUMENT],
    ['NOT_FOUND', GRPC.NOT_FOUND],
    ['ALREADY_EXISTS', GRPC.ALREADY_EXISTS],
    ['PERMISSION_DENIED', GRPC.PERMISSION_DENIED],
    ['UNIMPLEMENTED', GRPC.UNIMPLEMENTED],
    ['UNAUTHENTICATED', GRPC.UNAUTHENTICATED],
  ])('never answers %s with "try again": a 500 carrying the code and the server\'s words', (_name, code) => {
    const answer = temporalHttpError(serviceError(code, 'refused for good'), 'start the campaign workflow');
    expect(answer).toMatchObject({ status: 500, code: 'temporal_rejected', details: { grpc_code: code, reason: `${code} refused for good` } });
    expect(answer.message).toMatch(/^could not start the campaign workflow: /);
    expect(answer.message).not.toMatch(/try again/);
  });

  it.each([
    ['an unknown namespace', new NamespaceNotFoundError('nowhere')],
    ['a workflow that is not there', new WorkflowNotFoundError('workflow not found', 'wf-1', undefined)],
    ['a workflow id already taken', new WorkflowExecutionAlreadyStartedError('already started', 'wf-1', 'reengageCustomer')],
    ['a failure the workflow raised', ApplicationFailure.nonRetryable('no')],
    ['a payload the codec cannot decrypt', new ValueError('payload encrypted with unknown key id "k1"')],
    ['a value the converter cannot serialize', new PayloadConverterError('cannot serialize a BigInt')],
  ])('answers %s, which carries no gRPC code, as a permanent 500', (_what, error) => {
    expect(grpcCode(error)).toBeUndefined();
    expect(isTransientTemporalError(error)).toBe(false);
    expect(temporalHttpError(error, 'reach Temporal')).toMatchObject({ status: 500, details: { grpc_code: null, reason: error.message } });
  });

  it('counts an error with no code and no SDK class (a connection that never came up) as transient', () => {
    expect(isTransientTemporalError(new Error('Failed to connect before the deadline'))).toBe(true);
    expect(temporalHttpError(new Error('Failed to connect before the deadline'), 'reach Temporal').status).toBe(503);
  });

  it('finds the code a few causes deep, and gives up beyond five', () => {
    const grpc = serviceError(GRPC.PERMISSION_DENIED, 'no').cause;
    const wrapped = (depth: number): unknown => (depth === 0 ? grpc : new Error(`layer ${depth}`, { cause: wrapped(depth - 1) }));
    expect(grpcCode(wrapped(4))).toBe(GRPC.PERMISSION_DENIED);
    expect(grpcCode(wrapped(5))).toBeUndefined();
    // a numeric code on an error that is not a gRPC one (no details, no metadata) counts too; Node's string codes do not
    expect(grpcCode(Object.assign(new Error('x'), { code: GRPC.ABORTED }))).toBe(GRPC.ABORTED);
    expect(grpcCode(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(grpcCode(null)).toBeUndefined();
  });

  it('quotes the server rather than the SDK wrapper, and anything thrown as text', () => {
    expect(temporalErrorReason(serviceError(GRPC.INVALID_ARGUMENT, 'bad search attribute'))).toBe('3 bad search attribute');
    expect(temporalErrorReason(new ServiceError('Unexpected error while making gRPC request'))).toBe('Unexpected error while making gRPC request');
    expect(temporalErrorReason('socket hang up')).toBe('socket hang up');
  });
});

describe('Temporal errors from a real server', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  });
  afterAll(async () => {
    await connection.close();
  });

  it('answers 500, not "try again", when the namespace does not exist', async () => {
    const client = new Client({ connection, namespace: `missing-${randomUUID()}` });
    const error = await client.workflow.start('reengageCustomer', { workflowId: randomUUID(), taskQueue: 'nobody', args: [{}] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NamespaceNotFoundError);
    const answer = temporalHttpError(error, 'start the campaign workflow');
    expect(answer.status).toBe(500);
    expect(answer.details).toMatchObject({ reason: expect.stringContaining('Namespace not found') });
    // the raw call answers NOT_FOUND, permanent too
    const raw = await connection.workflowService.describeNamespace({ namespace: `missing-${randomUUID()}` }).catch((e: unknown) => e);
    expect(grpcCode(raw)).toBe(GRPC.NOT_FOUND);
    expect(temporalHttpError(raw, 'reach Temporal').status).toBe(500);
  });

  it('answers 500 when the workflow id is already taken', async () => {
    const client = new Client({ connection, namespace: 'default' });
    const workflowId = `taken-${randomUUID()}`;
    const taskQueue = `idle-${randomUUID()}`;
    await client.workflow.start('reengageCustomer', { workflowId, taskQueue, args: [{}] });
    const error = await client.workflow.start('reengageCustomer', { workflowId, taskQueue, args: [{}] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect(temporalHttpError(error, 'start the campaign workflow').status).toBe(500);
    await client.workflow.getHandle(workflowId).terminate('test over');
  });

  it('answers 503 "try again" when nothing listens at the address', async () => {
    const nobody = await Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 500 });
    try {
      const error = await nobody.withDeadline(Date.now() + 2000, () => nobody.workflowService.describeNamespace({ namespace: 'default' })).catch((e: unknown) => e);
      expect([GRPC.UNAVAILABLE, GRPC.DEADLINE_EXCEEDED]).toContain(grpcCode(error));
      expect(temporalHttpError(error, 'reach Temporal')).toMatchObject({ status: 503, code: 'temporal_unavailable' });
    } finally {
      await nobody.close();
    }
  });
});

describe('run-segment with a namespace the server does not have', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ worker: false, env: { TEMPORAL_NAMESPACE: `missing-${randomUUID()}` } });
  });
  afterAll(async () => {
    await system.stop();
  });

  it('answers 500 naming the namespace (was a 503 "try again": the SDK reports it without a gRPC code)', async () => {
    const res = await postJson(`${system.baseUrl}/internal/ai/smartengage/run-segment`, {}, { 'x-api-key': system.config.INTERNAL_API_KEY!, 'x-correlation-id': 'missing-namespace' });
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('temporal_rejected');
    expect(res.body.error.message).not.toMatch(/try again/);
    expect(res.body.error.details.reason).toContain(system.config.TEMPORAL_NAMESPACE);
    const row = await system.db.selectFrom('campaigns').select('error').where('correlation_id', '=', 'missing-namespace').executeTakeFirstOrThrow();
    expect(row.error).toContain('Namespace not found');
  });
});
