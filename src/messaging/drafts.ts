import type OpenAI from 'openai';
import type { Db } from '../db/database';
import type { PromptTemplate } from '../db/types';
import { writeDraftWithLlm } from '../llm/draft-writer';
import { loadActiveTemplate, renderTemplate } from './templates';
import type { DraftRequest, GeneratedDraft } from './types';

/** The label of drafts written from the approved template rather than by a model. */
export const TEMPLATE_MODEL = 'template';

function fromTemplate(template: PromptTemplate, req: DraftRequest, reason: string, detail?: string): GeneratedDraft {
  return {
    draft: renderTemplate(template, req),
    model: TEMPLATE_MODEL,
    promptVersion: template.version,
    templateId: template.id,
    fallbackReason: reason,
    ...(detail ? { fallbackDetail: detail } : {}),
  };
}

/** The approved template of the active prompt version, filled in and labelled as such. */
export async function templateDraft(db: Db, req: DraftRequest, reason: string): Promise<GeneratedDraft> {
  return fromTemplate(await loadActiveTemplate(db, req), req, reason);
}

export interface LlmSettings {
  client: OpenAI | null;
  model: string;
}

/**
 * A draft from the model with the active prompt version, or the template when no model is
 * configured or its answer is unusable. Call errors are thrown (see `toActivityFailure`).
 */
export async function generateDraft(db: Db, llm: LlmSettings, req: DraftRequest): Promise<GeneratedDraft> {
  const template = await loadActiveTemplate(db, req);
  if (!llm.client) return fromTemplate(template, req, 'llm_not_configured');
  const outcome = await writeDraftWithLlm(llm.client, llm.model, template, req);
  if (!outcome.ok) return fromTemplate(template, req, outcome.reason, outcome.detail);
  return { draft: outcome.draft, model: outcome.model, promptVersion: template.version, templateId: template.id };
}
