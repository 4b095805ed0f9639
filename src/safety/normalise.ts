import homoglyphs from 'unhomoglyph/data.json';

/**
 * The text the rules read, and the way back to what the model wrote. Models (and people
 * probing the filter) disguise contact details and offers with look-alike letters from other
 * alphabets, full-width or styled characters, Bengali digits and digits broken up by spaces or
 * dots. Rules match on the normalised text; every normalised character remembers the range of
 * original characters it came from, so a finding is reported as a span of the original text.
 *
 * Steps, per grapheme-ish cluster (a base character with its combining marks):
 * 1. invisible format characters (zero-width joiners, soft hyphens, bidi controls) are dropped;
 * 2. Unicode NFKC (full-width, mathematical and circled letters, ligatures → plain letters);
 * 3. digits of Bengali, Devanagari and Arabic scripts → ASCII digits;
 * 4. a character of another alphabet that is confusable with a Latin letter or digit (Unicode
 *    confusables.txt, via the `unhomoglyph` data) → that Latin character; Bengali is left alone;
 * 5. accents on Latin letters are removed ("frée" reads "free").
 * Then, optionally, separators between digits are removed ("017 12.34-56 78" → "0171234567 8"
 * becomes one number), except around dates and clock times.
 */
export interface NormalText {
  /** The normalised text the rules match on. */
  text: string;
  /** For each normalised character: the original offset it starts at … */
  from: number[];
  /** … and the original offset just after it. */
  to: number[];
  /** The text as written. */
  original: string;
}

const CONFUSABLES = homoglyphs as Record<string, string>;
const FORMAT = /\p{Cf}/u;
const MARK = /\p{M}/u;
const BENGALI = /\p{Script=Bengali}/u;
const LATIN = /\p{Script=Latin}/u;
const DIGIT_ZEROS = [0x09e6 /* Bengali */, 0x0966 /* Devanagari */, 0x0660 /* Arabic-Indic */, 0x06f0 /* Extended Arabic-Indic */];

function asciiDigit(ch: string): string | undefined {
  const code = ch.codePointAt(0)!;
  for (const zero of DIGIT_ZEROS) if (code >= zero && code <= zero + 9) return String(code - zero);
  return undefined;
}

/** One normalised character (or a few) for one character after NFKC. */
function mapChar(ch: string): string {
  const digit = asciiDigit(ch);
  if (digit !== undefined) return digit;
  if (ch.charCodeAt(0) < 0x80 || BENGALI.test(ch) || MARK.test(ch)) return ch;
  const latin = CONFUSABLES[ch];
  if (latin !== undefined && /^[A-Za-z0-9]+$/.test(latin)) return latin;
  return ch;
}

/** Splits text into clusters of a base character and the combining marks that follow it. */
function clusters(text: string): Array<{ value: string; start: number; end: number }> {
  const out: Array<{ value: string; start: number; end: number }> = [];
  let offset = 0;
  for (const ch of text) {
    const last = out.at(-1);
    if (last && MARK.test(ch) && !FORMAT.test(ch)) {
      last.value += ch;
      last.end += ch.length;
    } else {
      out.push({ value: ch, start: offset, end: offset + ch.length });
    }
    offset += ch.length;
  }
  return out;
}

export function normalise(original: string, options: { joinDigits?: boolean } = {}): NormalText {
  const chars: string[] = [];
  const from: number[] = [];
  const to: number[] = [];
  for (const cluster of clusters(original)) {
    const visible = [...cluster.value].filter((c) => !FORMAT.test(c)).join('');
    if (visible === '') continue;
    let value = [...visible.normalize('NFKC')].map(mapChar).join('');
    if (LATIN.test(value[0] ?? '')) value = value.normalize('NFD').replace(/\p{M}/gu, '');
    for (const unit of value) {
      // one entry per UTF-16 unit, so regex offsets index these arrays directly
      for (let i = 0; i < unit.length; i++) {
        chars.push(unit[i]);
        from.push(cluster.start);
        to.push(cluster.end);
      }
    }
  }
  const result = { text: chars.join(''), from, to, original };
  return options.joinDigits ? joinDigitGroups(result) : result;
}

/** Dates and clock times keep their separators: "27-11-2026 18:30" is not an 12-digit number. */
const DATE_OR_TIME = /(?<!\d)(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2})|\d{1,2}:\d{2}(?::\d{2})?)(?!\d)/g;
/** Up to three separator characters between two digits. */
const DIGIT_SEPARATOR = /(?<=\d)[\s.\-–—_()/\\|*·•]{1,3}(?=\d)|(?<=\d),(?=\d{3}(?!\d))/g;

/**
 * A date or time standing on its own. One glued to further digit groups ("017-11-22-33-445")
 * is a disguised number, not a date, and is joined like any other.
 */
function standaloneDatesAndTimes(text: string): Set<number> {
  const matches = [...text.matchAll(DATE_OR_TIME)].map((m) => ({ start: m.index!, end: m.index! + m[0].length }));
  const inMatch = (i: number) => matches.some((m) => i >= m.start && i < m.end);
  const glued = (i: number, step: 1 | -1) => /[.\-–—_/]/.test(text[i] ?? '') && /\d/.test(text[i + step] ?? '') && !inMatch(i + step);
  const protectedAt = new Set<number>();
  for (const m of matches) {
    if (glued(m.start - 1, -1) || glued(m.end, 1)) continue;
    for (let i = m.start; i < m.end; i++) protectedAt.add(i);
  }
  return protectedAt;
}

function joinDigitGroups(n: NormalText): NormalText {
  const protectedAt = standaloneDatesAndTimes(n.text);
  const drop = new Set<number>();
  for (const m of n.text.matchAll(DIGIT_SEPARATOR)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (protectedAt.has(start - 1) || protectedAt.has(end)) continue;
    for (let i = start; i < end; i++) drop.add(i);
  }
  if (drop.size === 0) return n;
  const keep = (_: unknown, i: number) => !drop.has(i);
  return { text: [...n.text].filter((_, i) => !drop.has(i)).join(''), from: n.from.filter(keep), to: n.to.filter(keep), original: n.original };
}

/** The original text behind normalised offsets [start, end). */
export function originalRange(n: NormalText, start: number, end: number): { start: number; end: number } {
  if (n.from.length === 0) return { start: 0, end: 0 };
  const s = Math.min(start, n.from.length - 1);
  const e = Math.max(s, Math.min(end, n.to.length) - 1);
  return { start: n.from[s], end: n.to[e] };
}

/** Normalises a word list or pattern source the same way (NFKC, so Bengali nukta letters match). */
export function normalisedPattern(source: string, flags = 'giu'): RegExp {
  return new RegExp(source.normalize('NFKC'), flags);
}
