import type { MessageDraft, PromptContext } from '../messaging/types';
import type { AgentType, Locale, MessageType } from '../db/types';
import { normalise, originalRange, type NormalText } from './normalise';

export { normalisedPattern } from './normalise';

/** How bad a failed rule is, for operators reading `safety_checks` (every failure rejects the draft). */
export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** Where in the draft a rule matched: the field and the offsets of the text as the model wrote it. */
export interface Span {
  field: keyof MessageDraft;
  start: number;
  end: number;
  /** The matched text (masked for contact details, so the record never repeats them). */
  text: string;
}

/** A match in the normalised text, before it is mapped back to the draft. */
export interface Finding {
  start: number;
  end: number;
  /** What was found, for the detail line ("percentage", "house number", …). */
  kind: string;
}

/** What the context-aware rules know about the message being checked. */
export interface RuleContext {
  locale: Locale;
  agent?: AgentType;
  messageType?: MessageType;
  /** The prompt context (first name, service, days since last booking, approved promotion …). */
  context: PromptContext;
  /** Names the draft may carry: the recipient's, the service's. */
  allowedNames: string[];
}

/** The draft as one text (subject, body, call to action on their own lines) in the two normalised views. */
export interface DraftText {
  draft: MessageDraft;
  /** NFKC, confusables, ASCII digits. */
  plain: NormalText;
  /** As `plain`, with separators between digits removed. */
  joined: NormalText;
}

const FIELDS: Array<keyof MessageDraft> = ['subject', 'body', 'call_to_action'];

export function draftTextOf(draft: MessageDraft): DraftText {
  const original = `${draft.subject}\n${draft.body}\n${draft.call_to_action}`;
  return { draft, plain: normalise(original), joined: normalise(original, { joinDigits: true }) };
}

/** A normalised match as a span of the draft field it lies in. */
export function toSpan(text: DraftText, view: NormalText, finding: Finding, mask?: (s: string) => string): Span {
  const range = originalRange(view, finding.start, finding.end);
  let offset = 0;
  for (const field of FIELDS) {
    const length = text.draft[field].length;
    if (range.start <= offset + length) {
      const start = Math.max(0, range.start - offset);
      const end = Math.min(length, range.end - offset);
      const value = text.draft[field].slice(start, end);
      return { field, start, end, text: mask ? mask(value) : value };
    }
    offset += length + 1;
  }
  return { field: 'call_to_action', start: 0, end: 0, text: '' };
}

/** All matches of the patterns in a view, as findings of one kind each. */
export function matchAll(view: NormalText, patterns: Array<[kind: string, pattern: RegExp]>): Finding[] {
  const found: Finding[] = [];
  for (const [kind, pattern] of patterns) {
    for (const m of view.text.matchAll(pattern)) {
      const lead = m.groups?.lead?.length ?? 0;
      found.push({ start: m.index! + lead, end: m.index! + m[0].length, kind });
    }
  }
  return dedupe(found);
}

/** Overlapping findings are reported once (the first, longest). */
export function dedupe(findings: Finding[]): Finding[] {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  for (const f of sorted) {
    if (out.some((o) => f.start < o.end && o.start < f.end)) continue;
    out.push(f);
  }
  return out;
}

/** Word boundaries that work for Bengali too (JavaScript's \b only knows ASCII word characters). */
export const B = '(?<![\\p{L}\\p{M}\\p{N}_])';
export const E = '(?![\\p{L}\\p{M}\\p{N}_])';
/** A Bengali stem with any inflection (case endings, plurals, classifiers) after it. */
export const BN_SUFFIX = '[\\p{L}\\p{M}]*';
