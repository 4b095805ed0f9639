import type { Locale } from '../db/types';
import type { SafetyCheckResult } from '../messaging/types';
import { MIN_SCRIPT_SHARE } from './language';

/**
 * "Flagged" drafts (DESIGN.md Part 2, the learning loop): a draft that passed every rule but
 * landed close to a limit waits for an operator instead of going out unseen. Computed from the
 * scores the checks already recorded, so it never re-runs or changes a rule.
 */
export interface ReviewLimits {
  /** A passed moderation check scoring at least this is flagged (the provider's flag is a fail). */
  moderationScore: number;
  /** A script share below the locale's minimum plus this margin is flagged. */
  scriptMargin: number;
}

export interface ReviewFlag {
  check: string;
  score: number;
  threshold: number;
  detail: string;
}

export function reviewFlags(checks: SafetyCheckResult[], locale: Locale, limits: ReviewLimits): ReviewFlag[] {
  const flags: ReviewFlag[] = [];
  const moderation = checks.find((c) => c.name === 'moderation' && c.passed && !c.skipped);
  if (moderation?.score !== undefined && moderation.score >= limits.moderationScore) {
    flags.push({ check: 'moderation', score: moderation.score, threshold: limits.moderationScore, detail: `moderation score ${moderation.score} ≥ review threshold ${limits.moderationScore}` });
  }
  const language = checks.find((c) => c.name === 'language' && c.passed);
  const nearMinimum = Math.round((MIN_SCRIPT_SHARE[locale] + limits.scriptMargin) * 1000) / 1000;
  if (language?.score !== undefined && language.score < nearMinimum) {
    flags.push({ check: 'language', score: language.score, threshold: nearMinimum, detail: `script share ${language.score} < ${nearMinimum} (minimum ${MIN_SCRIPT_SHARE[locale]} plus margin)` });
  }
  return flags;
}
