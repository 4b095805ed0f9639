import { B, dedupe, E, matchAll, normalisedPattern, type DraftText, type Finding, type RuleContext } from './findings';
import { normalise } from './normalise';
import { FAMILY_NAMES_BN, FAMILY_NAMES_EN, GIVEN_NAMES_BN, GIVEN_NAMES_EN } from './names';
import { fromFindings, type RuleResult } from './text';

/**
 * Other people's personal details: a message names its recipient and its service, nobody else,
 * and gives nobody's address. Models leak them from context (a customer's name in a worker's
 * tip) or invent them ("your neighbour Karim Hossain at House 12, Road 5, Dhanmondi").
 * Street addresses are house/road/flat/block/sector designators with a number (or a block
 * letter), both orders, both languages; names are the common given names in both scripts, a
 * capitalised word before a family name, any name after an honorific, and any neighbour.
 */
const NUMBER = '(?:\\d+[A-Za-z]?|[A-Z]\\d*)';
const EN_PLACE = '(?:house|home|holding|flat|apt|apartment|road|rd|lane|street|avenue|ave|block|sector|plot|section|villa|tower|building|bldg)';
const BN_PLACE = '(?:বাড়ি|বাসা|হোল্ডিং|ফ্ল্যাট|ফ্লাট|অ্যাপার্টমেন্ট|রোড|সড়ক|লেন|গলি|ব্লক|সেক্টর|প্লট|ভবন|টাওয়ার)';
const BN_NO = '(?:নং|নম্বর|নাম্বার|#)';
const ADDRESS = [
  normalisedPattern(`${B}${EN_PLACE}\\.?\\s*(?:no\\.?|number|num|#|:)?\\s*[#-]?\\s*\\d+[A-Za-z]?${E}`),
  normalisedPattern(`${B}h\\s*[-#]\\s*\\d+${E}|${B}\\d+\\s*(?:no\\.?\\s*)?(?:road|rd|lane|avenue)${E}`),
  new RegExp(`\\b[Bb]lock\\s*[-:]?\\s*[A-Z]\\b|\\b[A-Z][a-z]+\\s+(?:Road|Lane|Street|Avenue)\\b`, 'gu'),
  normalisedPattern(`${B}${BN_PLACE}\\s*${BN_NO}?\\s*[-:]?\\s*\\d+${E}|${B}\\d+\\s*${BN_NO}?\\s*${BN_PLACE}`),
  normalisedPattern(`${B}ব্লক\\s*[-:]?\\s*(?:[A-Z]|[ক-হ])${E}`),
];
const BN_NAME_SUFFIX = '(?:র|এর|ের|কে|রা|দের|ও|ই|জি)?';
const GIVEN_EN = new RegExp(`\\b(?:${GIVEN_NAMES_EN.join('|')})\\b`, 'gu');
/** A greeting before a family-name-like word is not a first name: "Hi Karim", "Dear Ali" (other given names are caught by GIVEN_EN). */
const GREETING_EN = '(?:Hi|Hello|Hey|Dear|Thanks|Thank|Welcome|Greetings|Salam|Good|Bye|Congratulations)';
const FULL_NAME_EN = new RegExp(`\\b(?!${GREETING_EN}\\b)[A-Z][a-z]+\\s+(?:${FAMILY_NAMES_EN.join('|')})\\b`, 'gu');
const HONORIFIC_EN = /\b(?:Mr|Mrs|Ms|Miss|Dr|Mister|Madam|Uncle|Aunty|Auntie)\.?\s+[A-Z][a-z]+|\b[A-Z][a-z]+\s+(?:bhai|apa|sahib|saheb|bhabi)\b/gu;
const GIVEN_BN = normalisedPattern(`${B}(?:${GIVEN_NAMES_BN.join('|')})${BN_NAME_SUFFIX}${E}`);
/** Family names that are not also common words (বিশ্বাস is "trust", সরকার "government", আলম "world"). */
const UNAMBIGUOUS_FAMILY_BN = FAMILY_NAMES_BN.filter((n) => !['ইসলাম', 'খান', 'সরকার', 'আলম', 'হক', 'দাস', 'রায়', 'বিশ্বাস', 'শেখ', 'আলী', 'সাহা'].includes(n));
const FULL_NAME_BN = normalisedPattern(`${B}(?<name>[\\p{L}\\p{M}]+)\\s+(?:${UNAMBIGUOUS_FAMILY_BN.join('|')})${E}`);
const HONORIFIC_BN = normalisedPattern(`${B}(?:জনাব|মিস্টার|মিসেস|ডাক্তার|ডা\\.|ড\\.)\\s*[\\p{L}\\p{M}]+`);
const BN_HONORIFIC_AFTER = normalisedPattern(
  `${B}(?<name>[\\p{L}\\p{M}]+)\\s+(?:সাহেব|সাহেবা|ভাই|আপা|ভাবী|ভাবি|খালা|চাচা|মামা|কাকা|দিদি|দাদা)${E}`,
);
/** Words before "ভাই"/"সাহেব" that are not names ("আপনার ভাই" is "your brother"). */
const NOT_NAMES_BN = new Set(['আপনার', 'তোমার', 'আমার', 'তার', 'তাঁর', 'আমাদের', 'ওনার', 'ওর', 'এই', 'সেই', 'প্রিয়', 'ও', 'এবং', 'আর', 'বড়', 'ছোট'].map((w) => w.normalize('NFKC')));
const NEIGHBOUR = normalisedPattern(`${B}(?:neighbou?rs?|neighbou?rhood's|প্রতিবেশী${'[\\p{L}\\p{M}]*'}|পাশের বাসার|পাশের বাড়ির)${E}`);

const HONORIFIC_PREFIX = normalisedPattern('^(?:Mr|Mrs|Ms|Miss|Dr|Mister|Madam|Uncle|Aunty|Auntie|জনাব|মিস্টার|মিসেস|ডাক্তার|ডা\\.|ড\\.)\\.?\\s*', 'u');

function allowedTokens(ctx: RuleContext): string[] {
  return ctx.allowedNames
    .flatMap((name) => normalise(String(name)).text.split(/\s+/))
    .filter((t) => t.length > 1)
    .map((t) => t.toLowerCase());
}

function isAllowed(match: string, allowed: string[]): boolean {
  const words = match.toLowerCase().split(/\s+/).filter(Boolean);
  // the recipient's own name, also inflected ("রহিমের") or with their own family name after it
  return words.length > 0 && allowed.some((a) => words[0].startsWith(a));
}

export function personalDetailFindings(text: DraftText, ctx: RuleContext): Finding[] {
  const view = text.joined;
  const allowed = allowedTokens(ctx);
  const addresses = ADDRESS.flatMap((pattern) => matchAll(view, [['street address', pattern]]));
  const names = matchAll(view, [
    ['name', HONORIFIC_EN],
    ['name', FULL_NAME_EN],
    ['name', GIVEN_EN],
    ['name', HONORIFIC_BN],
    ['name', GIVEN_BN],
  ]).filter((f) => !isAllowed(view.text.slice(f.start, f.end).replace(HONORIFIC_PREFIX, ''), allowed));
  const honoured = [...view.text.matchAll(BN_HONORIFIC_AFTER), ...view.text.matchAll(FULL_NAME_BN)]
    .filter((m) => !NOT_NAMES_BN.has(m.groups!.name) && !isAllowed(m.groups!.name, allowed))
    .map((m) => ({ start: m.index!, end: m.index! + m[0].length, kind: 'name' }));
  const neighbours = matchAll(view, [['another person', NEIGHBOUR]]);
  return dedupe([...addresses, ...names, ...honoured, ...neighbours]);
}

export function personalDetailsRule(text: DraftText, ctx: RuleContext): RuleResult {
  return fromFindings('personal_details', 'critical', text, text.joined, personalDetailFindings(text, ctx));
}
