import { findNumbers } from 'libphonenumber-js';
import { B, dedupe, E, matchAll, normalisedPattern, type DraftText, type Finding } from './findings';
import { asciiDigits, fromFindings, type RuleResult } from './text';

/**
 * Contact details and identity numbers must never appear in a generated message: the model
 * could invent them, or leak someone else's from the context. They are looked for in every
 * disguise a model or a prompt injection produces: Bengali digits, digits broken by spaces,
 * dots or dashes (the digit-joined view), digits spelled out as words, "at"/"dot" instead of
 * "@" and ".", and look-alike letters (the normalised view maps them to Latin).
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
  index: number;
}

function collect(text: string, pattern: RegExp, kind: PiiFinding['kind'], seen: Set<string>, into: PiiFinding[]): void {
  for (const m of text.matchAll(pattern)) {
    const value = m[0];
    const digits = value.replace(/\D/g, '');
    const key = kind === 'email' ? value : digits;
    if ([...seen].some((s) => s.includes(key))) continue;
    seen.add(key);
    const lead = value.length - value.trimStart().length;
    into.push({ kind, value: value.trim(), index: m.index! + lead });
  }
}

/** Phones (Bangladeshi and international), email addresses and long ID-like numbers, as written. */
export function findPii(text: string): PiiFinding[] {
  // asciiDigits and the blanking keep every offset, so findings index the text as given
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

const AT = `(?:@|\\(\\s*at\\s*\\)|\\[\\s*at\\s*\\]|\\{\\s*at\\s*\\}|${B}at${E}|${B}অ্যাট${E}|${B}এট${E})`;
const DOT = `(?:\\.|\\(\\s*dot\\s*\\)|\\[\\s*dot\\s*\\]|\\{\\s*dot\\s*\\}|${B}dot${E}|${B}ডট${E})`;
/** "rahim at gmail dot com", "rahim [at] gmail [dot] com", "রহিম অ্যাট জিমেইল ডট কম". */
const SPELLED_EMAIL = normalisedPattern(
  `[\\p{L}\\p{N}._%+-]+\\s*${AT}\\s*[\\p{L}\\p{M}\\p{N}-]+(?:\\s*${DOT}\\s*[\\p{L}\\p{M}\\p{N}-]+)*\\s*${DOT}\\s*(?:com|net|org|bd|co|io|info|me|কম|নেট|অর্গ)${E}`,
);
const SPELLED_PART = normalisedPattern('@|[([{]\\s*(?:at|dot)|অ্যাট|এট|\\bdot\\b|ডট', 'iu');
/** Any mail-provider name is a contact detail in a message that must carry none. */
const MAIL_PROVIDER = normalisedPattern(`${B}(?:gmail|yahoo|hotmail|outlook|proton\\s?mail|জিমেইল|ইয়াহু)${E}`);

const DIGIT_WORDS_EN = ['zero', 'oh', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'double', 'triple'];
const DIGIT_WORDS_BN = ['শূন্য', 'এক', 'দুই', 'তিন', 'চার', 'পাঁচ', 'ছয়', 'সাত', 'আট', 'নয়'];
const DIGIT_TOKEN = `(?:\\d+|${[...DIGIT_WORDS_EN, ...DIGIT_WORDS_BN].join('|')})`;
/** Digits and digit words in a row, at least one spelled out and eight digits in all ("zero one seven one …", "শূন্য এক সাত …"). */
const SPELLED_NUMBER = normalisedPattern(`${B}${DIGIT_TOKEN}(?:[\\s,.-]+${DIGIT_TOKEN}${E}){3,}`);
/** Contact verbs next to a messaging app. */
const MESSENGER = normalisedPattern(`${B}(?:whats\\s?app|viber|imo|telegram|messenger)${E}|${B}(?:হোয়াটসঅ্যাপ|ভাইবার|ইমো|টেলিগ্রাম)[\\p{L}\\p{M}]*${E}`);

function spelledNumberFindings(view: DraftText['joined']): Finding[] {
  return matchAll(view, [['spelled-out number', SPELLED_NUMBER]]).filter((f) => {
    const tokens = view.text.slice(f.start, f.end).split(/[\s,.-]+/);
    const digits = tokens.reduce((n, t) => n + (/^\d+$/.test(t) ? t.length : 1), 0);
    return digits >= 8 && tokens.some((t) => !/^\d+$/.test(t));
  });
}

function phoneLibraryFindings(view: DraftText['joined']): Finding[] {
  return findNumbers(view.text, { defaultCountry: 'BD', v2: true })
    .filter((n) => n.number.isPossible())
    .map((n) => ({ start: n.startsAt, end: n.endsAt, kind: 'phone' }));
}

/** Every contact detail in a draft, in the digit-joined normalised view. */
export function contactFindings(text: DraftText): Finding[] {
  const view = text.joined;
  const plain = findPii(view.text).map((f) => ({ start: f.index, end: f.index + f.value.length, kind: f.kind === 'id_number' ? 'ID-like number' : f.kind }));
  return dedupe([
    ...plain,
    ...phoneLibraryFindings(view),
    // "book at cheap-ac.net" is a link (the links rule), not an email: a spelled email spells something out
    ...matchAll(view, [['spelled-out email', SPELLED_EMAIL]]).filter((f) => SPELLED_PART.test(view.text.slice(f.start, f.end))),
    ...matchAll(view, [
      ['mail provider', MAIL_PROVIDER],
      ['messaging app', MESSENGER],
    ]),
    ...spelledNumberFindings(view),
  ]);
}

export function piiRule(text: DraftText): RuleResult {
  return fromFindings('pii', 'critical', text, text.joined, contactFindings(text), { mask: true });
}
