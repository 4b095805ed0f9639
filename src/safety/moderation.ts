import type OpenAI from 'openai';
import type { SafetyCheckResult } from '../messaging/types';

export const MODERATION_MODEL = 'omni-moderation-latest';

/**
 * Upper bound of each provider call in the safety check (moderation, then the judge): both
 * together stay under the check's 30 s local-activity timeout, so an endpoint that hangs is
 * recorded as skipped instead of failing the check.
 */
export const SAFETY_CALL_TIMEOUT_MS = 12_000;

export function safetyCallTimeout(client: OpenAI): number {
  return Math.min(client.timeout ?? SAFETY_CALL_TIMEOUT_MS, SAFETY_CALL_TIMEOUT_MS);
}

/**
 * The provider's moderation verdict on the whole draft. An outage must not stop messages (the
 * local rules still decide) nor pass silently: the check is recorded as skipped with the error.
 */
export async function moderationCheck(client: OpenAI, text: string): Promise<SafetyCheckResult> {
  try {
    const response = await client.moderations.create({ model: MODERATION_MODEL, input: text }, { timeout: safetyCallTimeout(client) });
    const result = response.results[0];
    const scores = Object.entries(result?.category_scores ?? {}) as Array<[string, number]>;
    const top = scores.reduce<[string, number]>((best, entry) => (entry[1] > best[1] ? entry : best), ['none', 0]);
    const score = Math.round(top[1] * 1000) / 1000;
    if (!result?.flagged) return { name: 'moderation', passed: true, score };
    const flagged = Object.entries(result.categories ?? {})
      .filter(([, hit]) => hit)
      .map(([category]) => category);
    return { name: 'moderation', passed: false, detail: `flagged: ${flagged.join(', ') || top[0]}`, score };
  } catch (error) {
    return { name: 'moderation', passed: true, skipped: true, detail: `skipped: ${(error as Error).message}`.slice(0, 300) };
  }
}
