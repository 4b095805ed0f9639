import { B, BN_SUFFIX, E, matchAll, normalisedPattern, type DraftText, type Finding, type RuleContext } from './findings';
import { normalise } from './normalise';
import { fromFindings, type RuleResult } from './text';

/**
 * Offers and promises the business did not approve. A model asked for a friendly reminder
 * happily invents "50 % off", "a free service worth 5000 Tk" or, to a worker, "a bonus next
 * month"; none of that may reach anyone unless it is the campaign's approved promotion.
 *
 * A customer message may carry an offer only when the context has the campaign's `promo_code`
 * (and optionally `promo_terms`, the approved wording): then offer words are allowed, and a
 * percentage, an amount or "free" only when the same figure (or "free") is in the approved
 * terms. Promises to workers (pay, bonuses, promotions, guaranteed work) are never approved.
 */
/** Letters-only boundary: "5000Tk" and "50percent" glue a number to the word. */
const L = '(?<![\\p{L}\\p{M}])';
const PERCENT = normalisedPattern(`\\d+\\s*(?:%|${L}(?:percent|per\\s?cent|pc|শতাংশ|পার্সেন্ট|পারসেন্ট|শতাংশের)${E})|${B}(?:half[\\s-]price|অর্ধেক দামে)${E}`);
const CURRENCY = normalisedPattern(
  `\\d+\\s*(?:৳|${L}(?:tk|taka|bdt|rs|usd|dollars?)${E}|${L}টাকা${BN_SUFFIX}${E})|(?:৳|${L}(?:tk|taka|bdt|rs|usd|inr|dollars?)${E}|${L}টাকা${BN_SUFFIX}${E}|\\$|€|£)\\s*\\.?\\s*\\d*|\\d+\\s*/-`,
);
const FREE_EN = /\bfree\b(?<!\bfeel\s+free)(?<!-free)(?!\s+(?:up|on|at|to|time|times|day|days|slot|slots|this|next|from|whenever|when|today|tomorrow|tonight|now|in\s+the|morning|evening|afternoon|weekend|anytime|until|after|before|hours?)\b)/giu;
const FREE_BN = normalisedPattern(`${B}(?:বিনামূল্যে|বিনা মূল্যে|বিনা খরচে|ফ্রিতে|বিনা পয়সায়)${E}|${B}ফ্রি${E}(?!\\s*(?:আছ|থাক|সময়|হলে|হয়ে|হব|আছি))`);
const OFFER_WORDS = normalisedPattern(
  [
    `${B}(?:discount(?:s|ed)?|cash\\s?backs?|coupons?|vouchers?|promo(?:tion)?s?|promo\\s?codes?|rebates?|gift\\s?cards?|giveaways?|complimentary|bogo|buy\\s+one\\s+get\\s+one|clearance)${E}`,
    `${B}(?:special|exclusive|limited|festive|eid|holiday|great|best|big|amazing|mega|hot|today'?s|this|an|our|new)\\s+(?:offer|deal)s?${E}(?!\\s+of\\b)`,
    `${B}offers?\\s+(?:ends?|valid|expires?|available|inside|for\\s+you)${E}`,
    `${B}(?:on|flash|big|mega|eid|festive|seasonal|special)\\s+sale${E}`,
    `${B}(?:lowest|reduced|special|discounted|best|cheapest|unbeatable)\\s+(?:price|prices|rates?|cost)${E}|${B}cheapest${E}`,
    `${B}save\\s+(?:up\\s+to|big|money|more)${E}`,
    `${B}(?:pay\\s+nothing|at\\s+no\\s+(?:extra\\s+)?cost|no\\s+(?:extra\\s+)?(?:charge|fee)s?|free\\s+of\\s+cost|on\\s+the\\s+house|waive[ds]?|waiving|\\d+[\\s-]*for[\\s-]*\\d+)${E}`,
    `${B}code\\s*:?\\s*[A-Z0-9][A-Z0-9_-]{2,}${E}`,
    `${B}(?:ছাড়|ছাড়ে)${E}|${B}(?:মূল্যছাড়|ডিসকাউন্ট|ক্যাশব্যাক|কুপন|ভাউচার|প্রোমো|অফার|উপহার|গিফট|সাশ্রয়|কম দামে|বিশেষ মূল্য|মূল্যহ্রাস)${BN_SUFFIX}${E}`,
  ].join('|'),
);
/** Promises nobody approved: to workers (pay, bonuses, promotion, guaranteed work) and to customers (guarantees). */
const PROMISES = normalisedPattern(
  [
    `${B}(?:guarantee[sd]?|we\\s+promise|promised|bonus(?:es)?|incentives?|rewards?|commission|salary|increment|a\\s+raise|pay\\s+(?:rise|raise|increase|hike)|promoted|extra\\s+(?:pay|money|income|earnings)|more\\s+(?:jobs|bookings|orders|money|income|earnings))${E}`,
    `${B}(?:you\\s+will|you'll)\\s+(?:earn|be\\s+paid|win|receive\\s+(?:a|an|extra|more))${E}`,
    `${B}(?:গ্যারান্টি|প্রতিশ্রুতি|বোনাস|ইনসেনটিভ|পুরস্কার|কমিশন|বেতন|ইনক্রিমেন্ট|পদোন্নতি|প্রমোশন|বাড়তি আয়|বেশি আয়|বেশি কাজ পাবেন|আরও কাজ পাবেন|নিশ্চিতভাবে)${BN_SUFFIX}${E}`,
  ].join('|'),
);

interface Promotion {
  code: string;
  numbers: Set<string>;
  free: boolean;
}

function approvedPromotion(ctx: RuleContext): Promotion | undefined {
  if (ctx.agent === 'coachnova') return undefined;
  const code = String(ctx.context.promo_code ?? '').trim();
  if (!code) return undefined;
  const terms = normalise(String(ctx.context.promo_terms ?? ''), { joinDigits: true }).text;
  const codeText = normalise(code).text;
  return {
    code: codeText.toLowerCase(),
    numbers: new Set([...(codeText.match(/\d+/g) ?? []), ...(terms.match(/\d+/g) ?? [])]),
    free: /\bfree\b|ফ্রি|বিনামূল্যে/iu.test(terms.normalize('NFKC')),
  };
}

function allowedBy(promotion: Promotion | undefined, match: string, kind: string): boolean {
  if (!promotion) return false;
  const lower = match.toLowerCase();
  if (kind === 'promo code') return lower.includes(promotion.code);
  if (kind === 'free') return promotion.free;
  const numbers = match.match(/\d+/g) ?? [];
  if (kind === 'offer word') return numbers.every((n) => promotion.numbers.has(n));
  // a percentage or an amount: only the approved figure
  return numbers.length > 0 ? numbers.every((n) => promotion.numbers.has(n)) : true;
}

/** Offer and promise findings in the digit-joined view, before the approved promotion is applied. */
export function offerFindings(text: DraftText, ctx: RuleContext): Finding[] {
  const view = text.joined;
  const promotion = approvedPromotion(ctx);
  const found = matchAll(view, [
    ['percentage', PERCENT],
    ['price', CURRENCY],
    ['free', FREE_EN],
    ['free', FREE_BN],
    ['offer word', OFFER_WORDS],
    ['promise', PROMISES],
  ]).map((f) => (/^code/i.test(view.text.slice(f.start, f.end)) ? { ...f, kind: 'promo code' } : f));
  return found.filter((f) => f.kind === 'promise' || !allowedBy(promotion, view.text.slice(f.start, f.end), f.kind));
}

export function offersRule(text: DraftText, ctx: RuleContext): RuleResult {
  return fromFindings('offers', 'high', text, text.joined, offerFindings(text, ctx));
}
