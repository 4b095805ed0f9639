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
  if (problems.length === 0) return { name: 'length', passed: true, score: round(score) };
  // the span is what lies beyond the limit (or the empty field itself)
  const spans = (Object.entries(LENGTH_LIMITS) as Array<[keyof MessageDraft, number]>)
    .filter(([field, max]) => draft[field].trim().length === 0 || [...draft[field].trim()].length > max)
    .map(([field, max]) => {
      const start = Math.min(draft[field].length, [...draft[field]].slice(0, max).join('').length);
      return { field, start, end: draft[field].length, text: draft[field].slice(start, start + 80) };
    });
  return { name: 'length', passed: false, severity: 'medium', detail: problems.join('; '), score: round(score), spans };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
