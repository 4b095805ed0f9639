import type { AgentType, Locale, MessageType } from '../db/types';
import type { MessageDraft, PromptContext } from '../messaging/types';
import { draftTextOf, type RuleContext } from './findings';
import { groundingRule } from './grounding';
import { injectionRule } from './injection';
import { languageRule, wrongScriptSpans } from './language';
import { lengthRule } from './length';
import { linksRule } from './links';
import { manipulationFindings, manipulationRule } from './manipulation';
import { offerFindings, offersRule } from './offers';
import { personalDetailFindings, personalDetailsRule } from './personal-details';
import { contactFindings, piiRule } from './pii';
import { placeholdersRule } from './placeholders';
import { profanityRule } from './profanity';
import { type RuleResult } from './text';

/** The language rule measures a share; on failure the record also shows the words in the other script. */
function withSpans(result: RuleResult, spans: () => NonNullable<RuleResult['spans']>): RuleResult {
  return result.passed ? result : { ...result, severity: 'medium', spans: spans() };
}

/** What the context-aware rules (offers, personal details, grounding) need to know. */
export interface RuleOptions {
  context?: PromptContext;
  agent?: AgentType;
  messageType?: MessageType;
}

/** The rules that read the context; without one they are recorded as skipped, never as passed silently. */
export const CONTEXT_RULES = ['offers', 'personal_details', 'grounding'] as const;

/**
 * Every local rule over a draft, in a fixed order. Pure: no I/O, so it is unit-tested directly
 * and gives the same verdict in the activity and in any tool that re-checks a stored message.
 * Rules read the normalised text (see normalise.ts) and report spans of the text as written.
 */
export function runLocalRules(draft: MessageDraft, locale: Locale, allowedNames: string[] = [], options: RuleOptions = {}): RuleResult[] {
  const text = draftTextOf(draft);
  const plainText = `${draft.subject}\n${draft.body}\n${draft.call_to_action}`;
  const contextFree = [
    profanityRule(text),
    piiRule(text),
    linksRule(text),
    placeholdersRule(text),
    lengthRule(draft),
    withSpans(languageRule(plainText, locale, allowedNames), () => wrongScriptSpans(draft, locale, allowedNames)),
    injectionRule(text),
    manipulationRule(text),
  ];
  if (!options.context) {
    return [...contextFree, ...CONTEXT_RULES.map((name) => ({ name, passed: true, skipped: true, detail: 'skipped: no context given' }))];
  }
  const ctx: RuleContext = { locale, agent: options.agent, messageType: options.messageType, context: options.context, allowedNames };
  // a number another rule already rejected (a phone, a price, a house number) is reported once
  const claimed = [...contactFindings(text), ...offerFindings(text, ctx), ...personalDetailFindings(text, ctx), ...manipulationFindings(text)];
  return [...contextFree, offersRule(text, ctx), personalDetailsRule(text, ctx), groundingRule(text, ctx, claimed)];
}
