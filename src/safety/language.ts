import type { Locale } from '../db/types';
import type { MessageDraft } from '../messaging/types';
import type { Span } from './findings';
import { canonical, type RuleResult } from './text';

/**
 * A Bengali message must be mostly Bengali script, an English one mostly Latin. Names the
 * message may legitimately carry in another script (the recipient's, the service's, the
 * brand's) are removed before counting, so "প্রিয় Rahim" is still Bengali.
 */
export const MIN_SCRIPT_SHARE: Record<Locale, number> = { bn: 0.7, en: 0.9 };
const BRAND_NAMES = ['ShoktiAI', 'Shokti AI', 'Sheba', 'sheba.xyz'];

function withoutNames(text: string, names: string[]): string {
  return [...names, ...BRAND_NAMES]
    .filter((n) => n.trim().length > 0)
    .sort((a, b) => b.length - a.length)
    .reduce((acc, name) => acc.split(name).join(' '), text);
}

/** Share of the letters that are in the locale's script (0 when there are no letters at all). */
export function scriptShare(text: string, locale: Locale): number {
  const letters = [...text.matchAll(/\p{L}/gu)].map((m) => m[0]);
  if (letters.length === 0) return 0;
  const wanted = locale === 'bn' ? /\p{Script=Bengali}/u : /\p{Script=Latin}/u;
  return letters.filter((l) => wanted.test(l)).length / letters.length;
}

export function languageRule(text: string, locale: Locale, allowedNames: string[] = []): RuleResult {
  const share = scriptShare(withoutNames(canonical(text), allowedNames.map(canonical)), locale);
  const min = MIN_SCRIPT_SHARE[locale];
  const script = locale === 'bn' ? 'Bengali' : 'Latin';
  const score = Math.round(share * 1000) / 1000;
  return share >= min
    ? { name: 'language', passed: true, score }
    : { name: 'language', passed: false, detail: `${Math.round(share * 100)}% ${script} script (need ${Math.round(min * 100)}%)`, score };
}

/** The words written in another script than the locale's (names allowed), as spans: what made the share too low. */
export function wrongScriptSpans(draft: MessageDraft, locale: Locale, allowedNames: string[] = []): Span[] {
  const wanted = locale === 'bn' ? /\p{Script=Bengali}/u : /\p{Script=Latin}/u;
  const allowed = new Set([...allowedNames, ...BRAND_NAMES].flatMap((n) => canonical(n).toLowerCase().split(/\s+/)));
  const spans: Span[] = [];
  for (const field of ['subject', 'body', 'call_to_action'] as const) {
    for (const m of draft[field].matchAll(/[\p{L}\p{M}]+/gu)) {
      if (wanted.test(m[0]) || allowed.has(canonical(m[0]).toLowerCase())) continue;
      spans.push({ field, start: m.index!, end: m.index! + m[0].length, text: m[0] });
    }
  }
  return spans.slice(0, 20);
}
