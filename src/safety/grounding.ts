import { B, BN_SUFFIX, E, normalisedPattern, type DraftText, type Finding, type RuleContext } from './findings';
import { normalise } from './normalise';
import { fromFindings, type RuleResult } from './text';

/**
 * Grounding: a draft may state only the facts it was given. Every number in it (digits in any
 * script, or a number word with a unit: "three weeks", "তিন সপ্তাহ") must come from the
 * context — the days since the last booking, a rating, minutes late, the approved promotion —
 * or be that number of days said in weeks, months or years, as people do ("৩ সপ্তাহ" for 21
 * days, "about a month" for 30). A few numbers are always fine: 1 ("one tap", "এক ক্লিকে"),
 * and the scale a message type asks for (0–10 in a burnout check, 5 stars in a coaching tip).
 * Numbers another rule already rejected (a phone, a price) are not reported twice.
 */
const ALWAYS = ['1'];
const SCALES: Record<string, string[]> = { BURNOUT_CHECK: ['0', '10'], COACHING: ['5'] };

const EN_NUMBERS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fifteen: 15, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, ninety: 90, hundred: 100, a: 1, an: 1, couple: 2, few: 3,
};
const BN_NUMBERS: Record<string, number> = {
  শূন্য: 0, এক: 1, দুই: 2, দু: 2, তিন: 3, চার: 4, পাঁচ: 5, ছয়: 6, সাত: 7, আট: 8, নয়: 9, দশ: 10, এগারো: 11, বারো: 12,
  পনেরো: 15, বিশ: 20, একুশ: 21, পঁচিশ: 25, ত্রিশ: 30, চল্লিশ: 40, পঞ্চাশ: 50, ষাট: 60, নব্বই: 90, একশ: 100, একশো: 100,
};
const BN_NUMBER_VALUES = new Map(Object.entries(BN_NUMBERS).map(([w, n]) => [w.normalize('NFKC'), n]));
const EN_UNITS = '(?:days?|weeks?|months?|years?|hours?|minutes?|times|stars?|percent|taka|jobs?|bookings?)';
const BN_UNITS = `(?:দিন|সপ্তাহ|মাস|বছর|ঘণ্টা|মিনিট|বার|তারকা|স্টার|শতাংশ|টাকা)${BN_SUFFIX}`;
const EN_WORD_NUMBER = new RegExp(`\\b(${Object.keys(EN_NUMBERS).filter((w) => !['a', 'an', 'few'].includes(w)).join('|')})\\s+(?:of\\s+)?${EN_UNITS}\\b`, 'giu');
const BN_WORD_NUMBER = normalisedPattern(`${B}(${Object.keys(BN_NUMBERS).join('|')})(?:টি|টা)?\\s+${BN_UNITS}${E}`);
const DIGITS = /\d+/g;

/** The numbers a draft may state, as digit strings. */
export function groundedNumbers(ctx: RuleContext): Set<string> {
  const allowed = new Set([...ALWAYS, ...(SCALES[ctx.messageType ?? ''] ?? [])]);
  for (const [key, value] of Object.entries(ctx.context)) {
    for (const n of normalise(String(value), { joinDigits: true }).text.match(DIGITS) ?? []) allowed.add(String(Number(n)));
    const days = Number(value);
    if (/days/.test(key) && Number.isFinite(days) && days > 0) {
      for (const [unit, size] of [['weeks', 7], ['months', 30], ['years', 365]] as const) {
        if (days < size * 0.75) continue;
        for (const round of [Math.floor, Math.round, Math.ceil]) allowed.add(String(Math.max(1, round(days / size))));
      }
    }
  }
  return allowed;
}

export function groundingFindings(text: DraftText, ctx: RuleContext, claimed: Finding[]): Finding[] {
  const view = text.joined;
  const allowed = groundedNumbers(ctx);
  const isClaimed = (start: number, end: number) => claimed.some((c) => start < c.end && c.start < end);
  const findings: Finding[] = [];
  for (const m of view.text.matchAll(DIGITS)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (isClaimed(start, end) || allowed.has(String(Number(m[0])))) continue;
    findings.push({ start, end, kind: 'number not in the context' });
  }
  for (const pattern of [EN_WORD_NUMBER, BN_WORD_NUMBER]) {
    for (const m of view.text.matchAll(pattern)) {
      const word = m[1].toLowerCase();
      const value = EN_NUMBERS[word] ?? BN_NUMBER_VALUES.get(word.normalize('NFKC'));
      const start = m.index!;
      const end = start + m[0].length;
      if (value === undefined || isClaimed(start, end) || allowed.has(String(value))) continue;
      findings.push({ start, end, kind: 'number not in the context' });
    }
  }
  return findings;
}

export function groundingRule(text: DraftText, ctx: RuleContext, claimed: Finding[]): RuleResult {
  return fromFindings('grounding', 'high', text, text.joined, groundingFindings(text, ctx, claimed));
}
