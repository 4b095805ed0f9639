import type { Locale } from '../db/types';
import type { MessageDraft } from '../messaging/types';
import { languageRule } from './language';
import { lengthRule } from './length';
import { linksRule } from './links';
import { piiRule } from './pii';
import { placeholdersRule } from './placeholders';
import { profanityRule } from './profanity';
import { draftText, type RuleResult } from './text';

/**
 * Every local rule over a draft, in a fixed order. Pure: no I/O, so it is unit-tested directly
 * and gives the same verdict in the activity and in any tool that re-checks a stored message.
 */
export function runLocalRules(draft: MessageDraft, locale: Locale, allowedNames: string[] = []): RuleResult[] {
  const text = draftText(draft);
  return [
    profanityRule(text),
    piiRule(text),
    linksRule(text),
    placeholdersRule(text),
    lengthRule(draft),
    languageRule(text, locale, allowedNames),
  ];
}
