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

/**
 * The approved template, filled in and labelled as such: of the active prompt version, or of the
 * version named (a rejected canary draft falls back to the version the canary replaced).
 */
export async function templateDraft(db: Db, req: DraftRequest, reason: string, templateId?: string): Promise<GeneratedDraft> {
  const template = templateId ? await db.selectFrom('prompt_templates').selectAll().where('id', '=', templateId).executeTakeFirstOrThrow() : await loadActiveTemplate(db, req);
  return fromTemplate(template, req, reason);
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
  return draftWithVersion(llm, await loadActiveTemplate(db, req), req);
}

/** A draft written with the given prompt version (a preview of a draft, or the one in use). */
export async function draftWithVersion(llm: LlmSettings, template: PromptTemplate, req: DraftRequest): Promise<GeneratedDraft> {
  if (!llm.client) return fromTemplate(template, req, 'llm_not_configured');
  const outcome = await writeDraftWithLlm(llm.client, llm.model, template, req);
  if (!outcome.ok) return fromTemplate(template, req, outcome.reason, outcome.detail);
  return { draft: outcome.draft, model: outcome.model, promptVersion: template.version, templateId: template.id };
}
