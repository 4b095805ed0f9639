import { ApplicationFailure } from '@temporalio/common';
import { APIConnectionError, APIError } from 'openai';

/** Longest wait we honour from a Retry-After header before Temporal's own backoff takes over again. */
const MAX_RETRY_AFTER_MS = 60_000;

function retryAfterMs(error: APIError): number | undefined {
  const headers = error.headers as Headers | undefined;
  const ms = Number(headers?.get?.('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return Math.min(ms, MAX_RETRY_AFTER_MS);
  const seconds = Number(headers?.get?.('retry-after'));
  if (Number.isFinite(seconds) && seconds > 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  return undefined;
}

/**
 * Is this an API call error (as opposed to a bad answer)? Bad answers fall back to the template;
 * call errors are turned into Temporal failures by `toActivityFailure`.
 */
export function isLlmCallError(error: unknown): error is APIError {
  return error instanceof APIError;
}

/**
 * Maps an OpenAI client error onto Temporal's retry semantics. Rate limits, server errors,
 * timeouts and lost connections are transient: retryable (honouring Retry-After). 408 and 409
 * are transient too (the OpenAI SDK itself retries them). Any other 4xx (bad key, bad request,
 * unknown model) will not heal by retrying: non-retryable.
 */
export function toActivityFailure(error: APIError): ApplicationFailure {
  const status = error.status;
  if (error instanceof APIConnectionError || status === undefined) {
    return ApplicationFailure.create({ type: 'LlmUnavailable', message: `LLM connection failed: ${error.message}`, cause: error });
  }
  if (status === 429) {
    return ApplicationFailure.create({
      type: 'LlmRateLimited',
      message: `LLM rate limited: ${error.message}`,
      nextRetryDelay: retryAfterMs(error),
    });
  }
  if (status >= 500 || status === 408 || status === 409) {
    return ApplicationFailure.create({ type: 'LlmUnavailable', message: `LLM server error ${status}: ${error.message}` });
  }
  return ApplicationFailure.create({
    type: 'LlmRequestRejected',
    message: `LLM rejected the request (${status}): ${error.message}`,
    nonRetryable: true,
  });
}
