import { B, E, matchAll, normalisedPattern, type DraftText } from './findings';
import { fromFindings, type RuleResult } from './text';

/**
 * Prompt-injection residue: text meant for (or written by) the model that ended up in the
 * message — instructions to ignore instructions, "SYSTEM OVERRIDE", role labels, "as an AI",
 * refusals, mentions of prompts or instructions, chat-template tokens, field labels of the
 * structured answer. Nothing of the kind belongs in a message to a person.
 */
const EN = [
  `(?:ignore|disregard|forget|override|bypass)\\s+(?:all\\s+|any\\s+)?(?:the\\s+|your\\s+|my\\s+)?(?:previous|prior|above|earlier|preceding|former|original|system|safety|these)?\\s*(?:instructions?|prompts?|rules?|guidelines?|directions?|messages?|policies|polic(?:y|ies)|filters?)`,
  `(?:system|developer|hidden|original|initial|safety)\\s+(?:prompt|instructions?|override|message|mode)`,
  `(?:my|your|these|those|previous|new|following|above|hidden|original)\\s+instructions`,
  `i\\s+(?:was|have\\s+been|am)\\s+(?:instructed|told|programmed|asked)\\s+to`,
  `(?:the|this|your|my|system|user|original|previous)\\s+prompt(?=\\s*(?:[.,:;!?)"']|$|\\s(?:says|said|asks|asked|told|tells|was|is|above|below|given|provided|instructs)))`,
  `as\\s+an?\\s+(?:ai|a\\.i\\.|artificial\\s+intelligence|language\\s+model|llm|chatbot|assistant)`,
  `i\\s*(?:'m|\\s+am)\\s+(?:an?\\s+)?(?:ai|language\\s+model|chatbot|virtual\\s+assistant|bot)`,
  `(?:ai|large)\\s+language\\s+model|language\\s+model|llm|chatgpt|gpt-?\\d\\w*|openai`,
  `i\\s+(?:cannot|can'?t|am\\s+unable\\s+to|am\\s+not\\s+able\\s+to|won'?t|will\\s+not)\\s+(?:help|assist|comply|fulfil+|provide|write|create|generate|do\\s+that|complete|produce)`,
  `i'?m\\s+sorry,?\\s+but|i\\s+apologi[sz]e,?\\s+but|as\\s+per\\s+my\\s+guidelines`,
  `note\\s+to\\s+self|jailbreak\\w*|developer\\s+mode|dan\\s+mode|do\\s+anything\\s+now`,
  `(?:here\\s+is|here'?s)\\s+(?:the|a|your)\\s+(?:draft|json|output|response)`,
];
const BN = [
  `(?:পূর্ববর্তী|আগের|উপরের|পূর্বের)\\s+(?:সব\\s+|সকল\\s+)?নির্দেশ[\\p{L}\\p{M}]*`,
  `নির্দেশ[\\p{L}\\p{M}]*\\s+(?:উপেক্ষা|অমান্য|ভুলে)[\\p{L}\\p{M}]*`,
  `উপেক্ষা\\s+করুন|উপেক্ষা\\s+কর`,
  `প্রম্পট[\\p{L}\\p{M}]*`,
  `সিস্টেম\\s+(?:প্রম্পট|নির্দেশ|বার্তা|ওভাররাইড)[\\p{L}\\p{M}]*`,
  `(?:এআই|এ\\.আই\\.|কৃত্রিম\\s+বুদ্ধিমত্তা|ভাষা\\s+মডেল)\\s+(?:হিসেবে|হিসাবে)`,
  `(?:একটি|একজন)\\s+(?:এআই|ভাষা\\s+মডেল|কৃত্রিম\\s+বুদ্ধিমত্তা)`,
  `ভাষা\\s+মডেল|চ্যাটজিপিটি|ওপেনএআই`,
  `আমি\\s+দুঃখিত,?\\s+(?:কিন্তু\\s+)?আমি`,
  `আমি\\s+(?:[\\p{L}\\p{M}]+\\s+){0,3}(?:করতে|লিখতে|সাহায্য\\s+করতে|দিতে)\\s+(?:পারব|পারবো|পারি)\\s+না`,
  `আমাকে\\s+(?:[\\p{L}\\p{M}]+\\s+){0,2}নির্দেশ\\s+দেওয়া\\s+হয়েছে`,
];
/** Role and field labels at the start of a line, chat-template tokens, markdown headings of prompts. */
const LABELS = normalisedPattern(
  `(?:^|\\n)\\s*(?:system|assistant|user|developer|human|ai|bot|subject|body|call_to_action|instruction|সিস্টেম|ব্যবহারকারী|সহকারী|বিষয়|নির্দেশনা)\\s*:|<\\|[a-z_]+\\|>|\\[/?inst\\]|<</?sys>>|###\\s*(?:instruction|system|response|input)|system\\s+override`,
  'giu',
);

export function injectionRule(text: DraftText): RuleResult {
  const findings = matchAll(text.plain, [
    ['prompt-injection residue', normalisedPattern(`${B}(?:${[...EN, ...BN].join('|')})${E}`)],
    ['role label or template token', LABELS],
  ]);
  return fromFindings('injection', 'critical', text, text.plain, findings);
}
