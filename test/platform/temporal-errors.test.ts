import { ServiceError } from '@temporalio/client';
import { GRPC, isTransientTemporalError, temporalHttpError } from '../../src/temporal/grpc-errors';

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
});
