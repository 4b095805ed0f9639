import OpenAI from 'openai';
import type { Config } from '../config';

/**
 * The official client, or null when no key is configured (then the template writer is used).
 * Retries are left to Temporal's activity retry policy so that every attempt is visible in
 * the workflow history; the client itself does not retry.
 */
export function createOpenAiClient(config: Config): OpenAI | null {
  if (!config.OPENAI_API_KEY) return null;
  return new OpenAI({
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    timeout: config.OPENAI_TIMEOUT_MS,
    maxRetries: 0,
  });
}
