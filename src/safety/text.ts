import type { MessageDraft } from '../messaging/types';
import { toSpan, type DraftText, type Finding, type Severity, type Span } from './findings';
import type { NormalText } from './normalise';

/** One local rule's verdict, as recorded in `ai_messages.safety_checks.checks`. */
export interface RuleResult {
  name: string;
  passed: boolean;
  detail?: string;
  score?: number;
  /** How bad a failure of this rule is (set on failures). */
  severity?: Severity;
  /** Where the rule matched, in the text as written (set on failures). */
  spans?: Span[];
  /** The rule could not run (e.g. no context to ground the draft in); it did not block. */
  skipped?: boolean;
}

/**
 * A rule's verdict from its findings: passed when there are none, otherwise failed with its
 * severity, a detail line naming what was found and the spans in the original draft.
 */
export function fromFindings(
  name: string,
  severity: Severity,
  text: DraftText,
  view: NormalText,
  findings: Finding[],
  options: { mask?: boolean } = {},
): RuleResult {
  if (findings.length === 0) return { name, passed: true };
  const spans = findings.map((f) => toSpan(text, view, f, options.mask ? mask : undefined));
  const detail = findings.map((f, i) => `${f.kind} "${spans[i].text}"`).join(', ').slice(0, 500);
  return { name, passed: false, severity, detail, score: findings.length, spans };
}

/** Where a string a rule found (in the original or the normalised text) lies in the draft. */
export function locate(text: DraftText, needle: string, kind: string): Finding | undefined {
  const at = text.plain.text.indexOf(needle);
  if (at >= 0) return { start: at, end: at + needle.length, kind };
  const lower = text.plain.text.toLowerCase().indexOf(needle.toLowerCase());
  if (lower >= 0) return { start: lower, end: lower + needle.length, kind };
  return undefined;
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
