import { asciiDigits, mask, type RuleResult } from './text';

/**
 * Contact details and identity numbers must never appear in a generated message: the model
 * could invent them, or leak someone else's from the context. Bengali digits are read as
 * ASCII first, so "০১৭১২৩৪৫৬৭৮" is caught like "01712345678".
 */
const BANGLADESHI_MOBILE = /(?<![\d+])(?:\+?\s?88[\s-]?)?0?1[3-9](?:[\s.-]?\d){8}(?!\d)/g;
/** International form: a plus sign and at least eight digits, separators allowed. */
const INTERNATIONAL_PHONE = /\+\s?\d(?:[\s.()-]{0,2}\d){7,14}(?!\d)/g;
/** Any other phone-like run: nine or more digits in groups separated by single spaces, dots or dashes. */
const DIGIT_RUN = /(?<!\d)\d(?:[\s.-]?\d){8,}(?!\d)/g;
/** National ID (10, 13 or 17 digits), passport, account numbers: ten or more digits in a row. */
const LONG_NUMBER = /(?<!\d)\d{10,}(?!\d)/g;
/** Dates and clock times are not contact details; they are blanked before digit runs are read. */
const DATE_OR_TIME = /(?<!\d)(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2})|\d{1,2}:\d{2}(?::\d{2})?)(?!\d)/g;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;

export interface PiiFinding {
  kind: 'phone' | 'email' | 'id_number';
  value: string;
}

function collect(text: string, pattern: RegExp, kind: PiiFinding['kind'], seen: Set<string>, into: PiiFinding[]): void {
  for (const [value] of text.matchAll(pattern)) {
    const digits = value.replace(/\D/g, '');
    const key = kind === 'email' ? value : digits;
    if ([...seen].some((s) => s.includes(key))) continue;
    seen.add(key);
    into.push({ kind, value: value.trim() });
  }
}

/** Phones (Bangladeshi and international), email addresses and long ID-like numbers. */
export function findPii(text: string): PiiFinding[] {
  const normalised = asciiDigits(text).replace(DATE_OR_TIME, (m) => ' '.repeat(m.length));
  const seen = new Set<string>();
  const findings: PiiFinding[] = [];
  collect(normalised, EMAIL, 'email', seen, findings);
  collect(normalised, BANGLADESHI_MOBILE, 'phone', seen, findings);
  collect(normalised, INTERNATIONAL_PHONE, 'phone', seen, findings);
  collect(normalised, LONG_NUMBER, 'id_number', seen, findings);
  collect(normalised, DIGIT_RUN, 'phone', seen, findings);
  return findings;
}

export function piiRule(text: string): RuleResult {
  const findings = findPii(text);
  if (findings.length === 0) return { name: 'pii', passed: true };
  const detail = findings.map((f) => `${f.kind} ${mask(f.value)}`).join(', ');
  return { name: 'pii', passed: false, detail, score: findings.length };
}
