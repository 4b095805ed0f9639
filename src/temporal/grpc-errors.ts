import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import { NamespaceNotFoundError, TemporalFailure, ValueError, WorkflowNotFoundError } from '@temporalio/common';
import { HttpError } from '../lib/errors';

/** gRPC status codes the Temporal frontend answers with (the ones we treat differently). */
export const GRPC = {
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** The gRPC status code behind an SDK error (a ServiceError wraps the raw gRPC error), if any. */
export function grpcCode(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (isGrpcServiceError(current)) return current.code;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Codes a retry can cure: the server is down, overloaded or a deadline passed, or the call was
 * cancelled on the way (a query while the server restarts answered CANCELLED in the chaos suite).
 */
const TRANSIENT = new Set<number>([GRPC.CANCELLED, GRPC.DEADLINE_EXCEEDED, GRPC.RESOURCE_EXHAUSTED, GRPC.ABORTED, GRPC.UNAVAILABLE, GRPC.INTERNAL]);

/** A query refused because the workflow's last task failed (its worker died mid-task): the retried task clears it. */
const FAILED_TASK = /Workflow Task in failed state/i;

/**
 * Final answers the SDK gives without a gRPC code: it turns the server's NOT_FOUND and
 * ALREADY_EXISTS into its own classes (an unknown namespace, a workflow id taken), and a payload
 * it cannot convert or decrypt stays so.
 */
const PERMANENT_WITHOUT_CODE = [NamespaceNotFoundError, WorkflowNotFoundError, TemporalFailure, ValueError];

export function isTransientTemporalError(error: unknown): boolean {
  const code = grpcCode(error);
  if (code === GRPC.FAILED_PRECONDITION && FAILED_TASK.test(temporalErrorReason(error))) return true;
  // no code at all: a connection that never came up, which is transient too
  return code === undefined ? !PERMANENT_WITHOUT_CODE.some((type) => error instanceof type) : TRANSIENT.has(code);
}

/** The server's own words for a failed call ("Failed to start Workflow" alone says nothing). */
export function temporalErrorReason(error: unknown): string {
  const cause = error instanceof ServiceError && error.cause ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * The HTTP answer for a failed call to Temporal: 503 "try again" only when a retry can help;
 * a permanent refusal (an unregistered search attribute, an unknown namespace, no permission) is
 * a 500 that says it is a configuration problem, with the server's own words as the cause.
 */
export function temporalHttpError(error: unknown, action: string): HttpError {
  const reason = temporalErrorReason(error);
  if (isTransientTemporalError(error)) {
    return new HttpError(503, 'temporal_unavailable', `could not ${action}: Temporal is unavailable; try again`, null, { cause: error });
  }
  return new HttpError(500, 'temporal_rejected', `could not ${action}: the Temporal server refused the request (a configuration problem, retrying will not help)`, { grpc_code: grpcCode(error) ?? null, reason }, { cause: error });
}
