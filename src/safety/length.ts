import type { MessageDraft } from '../messaging/types';
import type { RuleResult } from './text';

/** Limits of the message contract (MessageDraftSchema), checked again on whatever is about to go out. */
export const LENGTH_LIMITS = { subject: 150, body: 1200, call_to_action: 60 } as const;

export function lengthRule(draft: MessageDraft): RuleResult {
  const problems: string[] = [];
  for (const [field, max] of Object.entries(LENGTH_LIMITS) as Array<[keyof MessageDraft, number]>) {
    const length = [...draft[field].trim()].length;
    if (length === 0) problems.push(`${field} is empty`);
    else if (length > max) problems.push(`${field} has ${length} characters (max ${max})`);
  }
  const score = [...draft.body].length / LENGTH_LIMITS.body;
  return problems.length === 0
    ? { name: 'length', passed: true, score: round(score) }
    : { name: 'length', passed: false, detail: problems.join('; '), score: round(score) };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
