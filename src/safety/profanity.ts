import type { DraftText, Finding } from './findings';
import { canonical, fromFindings, locate, type RuleResult } from './text';

/**
 * Curated lists of words no customer or worker message may contain. Matching is per whole
 * word (a token of letters and combining marks), so "Scunthorpe" and "বালতি" (bucket) pass
 * while "shit" and "বাল" do not. English includes common insults and romanised Bengali
 * abuse (Banglish); leetspeak such as "sh1t" or "f@ck" is folded before matching.
 */
const ENGLISH_WORDS = [
  'fuck', 'fucking', 'fucked', 'fucker', 'motherfucker', 'shit', 'shitty', 'bullshit', 'bitch', 'bastard',
  'asshole', 'arsehole', 'dick', 'dickhead', 'cunt', 'whore', 'slut', 'prick', 'wanker', 'twat', 'piss',
  'idiot', 'stupid', 'moron', 'retard', 'retarded', 'dumbass', 'jackass', 'crap',
  // romanised Bengali abuse
  'shala', 'sala', 'shali', 'harami', 'haramjada', 'haramzada', 'kutta', 'kuttar', 'shuor', 'shuorer', 'suar',
  'magi', 'khanki', 'choda', 'chudi', 'chod', 'bokachoda', 'boka choda', 'banchod', 'bainchod', 'madarchod', 'gandu',
];

/** Bengali stems; an inflected form (stem + case/plural suffix) counts as the word. */
const BENGALI_WORDS = [
  'শালা', 'শালী', 'শালি', 'হারামি', 'হারামী', 'হারামজাদা', 'হারামজাদি', 'কুত্তা', 'কুত্তি', 'শুয়োর', 'শূয়োর', 'শুওর',
  'বেশ্যা', 'মাগী', 'মাগি', 'খানকি', 'খানকী', 'চোদা', 'চুদি', 'চোদ', 'বোকাচোদা', 'বাল', 'জারজ', 'বেজন্মা',
  'গাধা', 'বলদ', 'ছাগল', 'বেয়াদব', 'ফালতু', 'লুচ্চা', 'নষ্টা', 'বদমাশ', 'বাস্টার্ড',
];

/** Case, possessive and plural endings a Bengali noun can take. */
const BENGALI_SUFFIXES = ['', 'র', 'এর', 'ের', 'কে', 'রা', 'দের', 'গুলো', 'গুলি', 'টা', 'টি', 'ে'];

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

const englishSet = new Set(ENGLISH_WORDS.filter((w) => !w.includes(' ')));
const englishPhrases = ENGLISH_WORDS.filter((w) => w.includes(' '));
const bengaliSet = new Set(BENGALI_WORDS.flatMap((stem) => BENGALI_SUFFIXES.map((s) => canonical(stem + s))));

/** Words: runs of letters, combining marks (Bengali vowel signs, virama) and leetspeak symbols. */
const TOKEN = /[\p{L}\p{M}0-9@$!*]+/gu;

function foldLatin(token: string): string {
  return token
    .toLowerCase()
    .replace(/[0-9@$!]/g, (c) => LEET[c] ?? c)
    .replace(/(.)\1{2,}/g, '$1$1');
}

/** The offensive words found in a text (as written), in order. */
export function findProfanity(text: string): string[] {
  const clean = canonical(text);
  const hits: string[] = [];
  for (const [token] of clean.matchAll(TOKEN)) {
    if (/\p{Script=Bengali}/u.test(token)) {
      if (bengaliSet.has(token)) hits.push(token);
      continue;
    }
    const folded = foldLatin(token);
    const starless = folded.replace(/\*/g, '');
    if (englishSet.has(folded) || englishSet.has(starless) || isStarredSwear(folded)) hits.push(token);
  }
  const lower = clean.toLowerCase();
  for (const phrase of englishPhrases) {
    if (new RegExp(`(^|[^\\p{L}])${phrase}([^\\p{L}]|$)`, 'u').test(lower)) hits.push(phrase);
  }
  return hits;
}

/** "f**k", "sh*t": a starred word whose visible letters fit a listed word of the same length. */
function isStarredSwear(token: string): boolean {
  if (!token.includes('*') || token.replace(/\*/g, '').length < 1) return false;
  const pattern = new RegExp(`^${token.replace(/[^a-z*]/g, '').replace(/\*/g, '[a-z]')}$`);
  return [...englishSet].some((word) => word.length === token.length && pattern.test(word));
}

export function profanityRule(text: DraftText): RuleResult {
  // the normalised text: look-alike letters and styled characters read as the word they imitate
  const findings = findProfanity(text.plain.text)
    .map((hit) => locate(text, hit, 'offensive word'))
    .filter((f): f is Finding => f !== undefined);
  return fromFindings('profanity', 'critical', text, text.plain, findings, { mask: true });
}
