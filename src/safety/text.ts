import type { MessageDraft } from '../messaging/types';

/** One local rule's verdict, as recorded in `ai_messages.safety_checks.checks`. */
export interface RuleResult {
  name: string;
  passed: boolean;
  detail?: string;
  score?: number;
}

const BENGALI_DIGITS = '০১২৩৪৫৬৭৮৯';

/** Bengali digits (০-৯) as ASCII, so number rules see "০১৭১২…" the same as "01712…". */
export function asciiDigits(text: string): string {
  return text.replace(/[০-৯]/g, (d) => String(BENGALI_DIGITS.indexOf(d)));
}

/**
 * Canonical form for matching: NFC (so "য়" typed as য + nukta equals the precomposed letter's
 * decomposition) without zero-width joiners, which are invisible and can split a word.
 */
export function canonical(text: string): string {
  return text.normalize('NFC').replace(/[\u200B-\u200D\u2060\uFEFF]/g, '');
}

/** Every part of a draft a person reads, for rules that look at the whole message. */
export function draftText(draft: MessageDraft): string {
  return `${draft.subject}\n${draft.body}\n${draft.call_to_action}`;
}

/** Shows that something was found without repeating it in the stored record (e.g. "0171****"). */
export function mask(value: string): string {
  const chars = [...value];
  if (chars.length <= 2) return '*'.repeat(chars.length);
  const keep = Math.min(4, Math.floor(chars.length / 3));
  return chars.slice(0, keep).join('') + '*'.repeat(chars.length - keep);
}
