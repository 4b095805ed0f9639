import type { Config } from '../config';
import type { Locale, PromptTemplate } from '../db/types';
import type { LlmSettings } from '../messaging/drafts';
import type { MessageDraft } from '../messaging/types';
import { judgeDraft } from '../safety/judge';
import { runLocalRules } from '../safety/rules';
import { demoContext } from './demo-context';
import type { DraftPreview } from './schemas';

/** A plain reminder the demo context grounds: what a judge version is previewed on unless a draft is given. */
const DEMO_DRAFT: Record<Locale, MessageDraft> = {
  en: { subject: 'Time for AC Servicing, Rahim?', body: 'Hi Rahim, it has been 30 days since your last AC Servicing. Book again whenever it suits you.', call_to_action: 'Book now' },
  bn: { subject: 'এসি সার্ভিসিং — আবার বুক করার সময়', body: 'প্রিয় রহিম, আপনার শেষ এসি সার্ভিসিং সেবার পর ৩০ দিন কেটে গেছে। সুবিধামতো সময়ে আবার বুক করুন।', call_to_action: 'এখনই বুক করুন' },
};

/**
 * Preview of a judge version (DESIGN.md `POST /internal/prompts/:id/preview`, for agent 'safety'):
 * the rules and *this* version's judge on a draft — the one given in the body (to try the
 * policy on a real failure) or a demo reminder — with the demo reminder context as the facts.
 * Unlike in the send path the judge is asked even when a rule failed, because the point is to
 * see what this policy says. Nothing stored, nothing sent. Without a model the judge check is
 * recorded as skipped with `fallback_reason: "llm_not_configured"`, as in the workflows.
 */
export async function previewJudgeVersion(config: Config, llm: LlmSettings, version: PromptTemplate, given?: MessageDraft): Promise<DraftPreview> {
  const context = demoContext('REMINDER', version.locale);
  const draft = given ?? DEMO_DRAFT[version.locale];
  const names = [context.first_name, context.service_name].filter((v): v is string => typeof v === 'string');
  const rules = runLocalRules(draft, version.locale, names, { context, agent: 'smartengage', messageType: 'REMINDER' });
  const model = config.SAFETY_JUDGE_MODEL === 'off' ? null : (config.SAFETY_JUDGE_MODEL ?? llm.model);
  const judge =
    llm.client && model
      ? await judgeDraft(llm.client, model, version, { draft, locale: version.locale, agent: 'smartengage', context })
      : { name: 'judge', passed: true, skipped: true, detail: 'skipped: no model configured', prompt_version: version.version, prompt_id: version.id };
  const checks = [...rules, judge];
  return {
    draft,
    safety: { safe: checks.every((c) => c.passed), checks, flags: [] },
    model: judge.skipped || !model ? 'none' : (judge.model ?? model),
    prompt_version: version.version,
    fallback_reason: llm.client && model ? null : 'llm_not_configured',
    context: { source: 'demo', values: context },
  };
}
