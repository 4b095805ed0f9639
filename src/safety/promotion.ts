import type { SafetyCheckResult } from '../messaging/types';
import { draftTextOf } from './findings';
import { injectionRule } from './injection';
import { linksRule } from './links';
import { manipulationRule } from './manipulation';
import { piiRule } from './pii';
import { placeholdersRule } from './placeholders';
import { profanityRule } from './profanity';

/**
 * A campaign's approved promotion (`promo_code`, `promo_terms` in its criteria) is what the
 * offers rule lets a reminder say, so it is checked before the campaign starts: terms only with
 * a code, and terms that pass the rules protecting the recipient (no contact details, links,
 * abuse, placeholders, instructions to a model, threats). Returns the failed checks (empty: fine).
 */
export function promotionProblems(promo: { code?: string | null; terms?: string | null }): SafetyCheckResult[] {
  const problems: SafetyCheckResult[] = [];
  if (!promo.terms) return problems;
  if (!promo.code) problems.push({ name: 'promo_code_missing', passed: false, detail: 'promo_terms describe a promotion: give its promo_code too' });
  const text = draftTextOf({ subject: '', body: promo.terms, call_to_action: '' });
  for (const rule of [profanityRule, piiRule, linksRule, placeholdersRule, injectionRule, manipulationRule]) {
    const result = rule(text);
    if (!result.passed) problems.push(result);
  }
  return problems;
}
