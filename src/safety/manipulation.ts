import { B, BN_SUFFIX, E, matchAll, normalisedPattern, type DraftText, type Finding } from './findings';
import { fromFindings, type RuleResult } from './text';

/**
 * Manipulation: threats and false urgency about the person's account, fear, and medical, legal
 * or safety claims the service cannot make. A reminder invites; it never warns that an account
 * "will be suspended", that a dirty AC "could explode" or that a cleaning "cures asthma".
 */
const THREAT_EN = [
  `(?:account|profile|membership|subscription|booking\\s+access)\\s+(?:will|may|might|could|is\\s+going\\s+to|has\\s+been|shall|would)\\s+(?:be\\s+)?(?:permanently\\s+)?(?:suspended|blocked|closed|deleted|terminated|deactivated|disabled|locked|banned|frozen|cancell?ed|restricted|removed)`,
  `(?:suspend|block|clos|delet|terminat|deactivat|disabl|lock|ban|freez|cancel)\\w*\\s+your\\s+(?:account|profile|membership)`,
  `(?<!no\\s)(?<!no\\s+need\\s+to\\s)hurry|last\\s+chance|final\\s+(?:warning|notice)|act\\s+(?:now|immediately|fast)|immediately\\s+or|or\\s+else|before\\s+it'?s\\s+too\\s+late|don'?t\\s+miss\\s+out|urgent(?:ly)?|right\\s+away\\s+or|gone\\s+forever|before\\s+midnight|(?:today|tonight)\\s+only|only\\s+(?:today|tonight)|ends\\s+(?:today|tonight|soon)|expires?\\s+(?:today|tonight|soon)|limited[\\s-]time|while\\s+(?:stocks|slots|supplies)\\s+last|running\\s+out|(?:or|otherwise)\\s+your\\s+(?:slot|booking|chance|place)\\s+(?:is|will\\s+be)\\s+(?:gone|lost|given)|within\\s+\\d+\\s+hours?`,
  `(?:or|otherwise)\\s+you\\s+(?:will|'ll)\\s+(?:lose|be)|you\\s+will\\s+lose|will\\s+be\\s+(?:charged|fined|penali[sz]ed|reported|blacklisted)|penalt(?:y|ies)|legal\\s+action|lawsuit|sue\\s+you|police|court|arrest\\w*|fined`,
];
const FEAR_EN = [
  `danger(?:ous)?|hazard(?:ous)?|explo(?:de|sion)s?|catch(?:es)?\\s+fire|fire\\s+hazard|electrocut\\w*|poison\\w*|toxic|deadly|fatal|lethal|die|dying|death|at\\s+risk|unsafe|harm\\s+your|your\\s+family(?:'s)?\\s+(?:health|safety|life|lives)`,
];
const CLAIMS_EN = [
  `cure[sd]?|asthma|allerg\\w*|diseases?|illness\\w*|infections?|bacteri\\w*|virus\\w*|germs?|immun\\w*|healthier|health\\s+benefits?|doctor[-\\s]?recommended|clinically|medically|respiratory|lungs?|dengue|covid|sterili[sz]\\w*|disinfect\\w*`,
  `legally\\s+(?:required|mandatory|obliged)|required\\s+by\\s+law|by\\s+law|government[-\\s](?:approved|certified|mandated)|mandatory|certified|licensed|fully\\s+insured|insured|warrant(?:y|ies)|(?:completely|totally|perfectly|100\\s*%|fully)\\s+safe|risk[-\\s]free|no\\s+risk|zero\\s+risk|safest|approved\\s+by`,
];
const THREAT_BN = [
  `(?:অ্যাকাউন্ট|একাউন্ট|এ্যাকাউন্ট|প্রোফাইল|সদস্যপদ)${BN_SUFFIX}\\s+(?:[\\p{L}\\p{M}]+\\s+){0,2}(?:বন্ধ|স্থগিত|বাতিল|ব্লক|মুছে|নিষ্ক্রিয়|সাসপেন্ড|লক)`,
  `শেষ\\s+সুযোগ|শেষ\\s+সতর্কতা|চূড়ান্ত\\s+সতর্কতা|নইলে|না\\s+হলে\\s+[^।!?]{0,40}(?:বন্ধ|বাতিল|জরিমানা|হারাবেন|ব্যবস্থা)|জরুরি\\s+(?:ভিত্তিতে|সতর্কতা|নোটিশ)|তাড়াতাড়ি\\s+করুন|দেরি\\s+করলে|হারাবেন|জরিমানা|আইনি\\s+ব্যবস্থা|মামলা|পুলিশ|আদালত|গ্রেফতার|গ্রেপ্তার|শাস্তি|\\d+\\s+ঘণ্টার\\s+মধ্যে`,
];
const FEAR_BN = [`বিপদ${BN_SUFFIX}|বিপজ্জনক|ঝুঁকি${BN_SUFFIX}|বিস্ফোরণ${BN_SUFFIX}|বিস্ফোরিত|আগুন\\s+লাগ${BN_SUFFIX}|দুর্ঘটনা${BN_SUFFIX}|মৃত্যু${BN_SUFFIX}|প্রাণঘাতী|বিষাক্ত|বিদ্যুৎস্পৃষ্ট|অনিরাপদ|পরিবারের\\s+(?:স্বাস্থ্য|নিরাপত্তা|জীবন)`];
const CLAIMS_BN = [
  `রোগ${BN_SUFFIX}|অ্যালার্জি${BN_SUFFIX}|এলার্জি${BN_SUFFIX}|হাঁপানি|অ্যাজমা|সংক্রমণ${BN_SUFFIX}|জীবাণু${BN_SUFFIX}|ব্যাকটেরিয়া|ভাইরাস|ডেঙ্গু|নিরাময়${BN_SUFFIX}|চিকিৎসা${BN_SUFFIX}|ডাক্তার${BN_SUFFIX}|শ্বাসকষ্ট|ফুসফুস${BN_SUFFIX}|রোগপ্রতিরোধ${BN_SUFFIX}|স্বাস্থ্যকর`,
  `আইন\\s+অনুযায়ী|আইনত|বাধ্যতামূলক|সরকার(?:ি|ের)?\\s+(?:অনুমোদিত|স্বীকৃত)|সম্পূর্ণ\\s+নিরাপদ|শতভাগ\\s+নিরাপদ|\\d+\\s*%\\s*নিরাপদ|ঝুঁকিমুক্ত|লাইসেন্সপ্রাপ্ত|সার্টিফাইড|সনদপ্রাপ্ত|ওয়ারেন্টি|বীমা${BN_SUFFIX}`,
];

const words = (sources: string[]) => normalisedPattern(`${B}(?:${sources.join('|')})${E}`);
const PATTERNS: Array<[string, RegExp]> = [
  ['threat or false urgency', words([...THREAT_EN, ...THREAT_BN])],
  ['fear', words([...FEAR_EN, ...FEAR_BN])],
  ['medical, legal or safety claim', words([...CLAIMS_EN, ...CLAIMS_BN])],
];

export function manipulationFindings(text: DraftText): Finding[] {
  return matchAll(text.joined, PATTERNS);
}

export function manipulationRule(text: DraftText): RuleResult {
  return fromFindings('manipulation', 'critical', text, text.joined, manipulationFindings(text));
}
