import type { PromptContext } from '../../messaging/types';
import type { ReengagementSettings } from '../types';

/**
 * A reminder's context with the campaign's approved promotion: `promo_code` and, when given,
 * `promo_terms`. The offers rule (src/safety/offers.ts) allows an offer only when it matches
 * them, grounding accepts their figures, and the judge sees them among the facts. Pure, so the
 * re-engagement workflow and the red team build the context the same way.
 */
export function withApprovedPromotion<T extends PromptContext>(context: T, settings: Pick<ReengagementSettings, 'promoCode' | 'promoTerms'>): T & PromptContext {
  if (!settings.promoCode) return context;
  return { ...context, promo_code: settings.promoCode, ...(settings.promoTerms ? { promo_terms: settings.promoTerms } : {}) };
}
