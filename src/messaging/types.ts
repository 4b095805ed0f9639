import { z } from 'zod';
import type { AgentType, Channel, Locale, MessageRole, MessageType, SafetyCheckRecord, SafetyChecks, UserResponse } from '../db/types';

/**
 * The shared message pipeline both agents use: generate a draft (LLM or approved template),
 * check it for safety, record it, deliver it. Workflows import these types only (`import type`).
 */

/** What the LLM must answer (structured output) and what the template writer produces. */
export const MessageDraftSchema = z.object({
  subject: z.string().min(1).max(150),
  body: z.string().min(1).max(1200),
  call_to_action: z.string().min(1).max(60),
});
export type MessageDraft = z.infer<typeof MessageDraftSchema>;

/** Placeholder values for a prompt: first_name, service_name, … — never an email or phone. */
export type PromptContext = Record<string, string | number>;

export interface DraftRequest {
  agent: AgentType;
  messageType: MessageType;
  locale: Locale;
  context: PromptContext;
  /** On regeneration: the safety checks the previous draft failed, so the model avoids them. */
  avoid?: string[];
  /** A given prompt version (an experiment's llm arm) instead of the active one. */
  promptVersion?: number;
}

export interface GeneratedDraft {
  draft: MessageDraft;
  /** The model actually used, or "template" for the approved-template writer. */
  model: string;
  promptVersion: number;
  templateId: string;
  /** Why the template was used instead of the model, when it was. */
  fallbackReason?: string;
  /** The underlying problem behind fallbackReason (refusal text, parse error), for the record. */
  fallbackDetail?: string;
}

/** One check's verdict as recorded in `safety_checks` (the shape lives with the table's types). */
export type SafetyCheckResult = SafetyCheckRecord;

export interface SafetyVerdict {
  safe: boolean;
  checks: SafetyCheckResult[];
}

export interface SafetyRequest {
  draft: MessageDraft;
  locale: Locale;
  /**
   * Names allowed to appear (the recipient's own first name is not "PII of others"); they are
   * also left out of the language check, so "প্রিয় Rahim" counts as Bengali.
   */
  allowedNames?: string[];
  /** Which agent's text was checked (metrics; coaching and customer policies differ in details). */
  agent?: AgentType;
  messageType?: MessageType;
  /**
   * The prompt context the draft was written from: the facts it may state (grounding) and the
   * campaign's approved promotion (`promo_code`, `promo_terms`). Without it the context rules
   * (offers, personal details, grounding) are recorded as skipped.
   */
  context?: PromptContext;
  /** "template": the approved template, which the rules check but the judge does not second-guess. */
  source?: 'model' | 'template';
}

/** A draft that passed safety, with the record of how it got there (stored in `safety_checks`). */
export interface ComposedMessage extends GeneratedDraft {
  safetyChecks: SafetyChecks;
}

export interface RecordMessageInput {
  /** Unique per logical message (e.g. workflow id + purpose): a retried activity finds the same row. */
  idempotencyKey: string;
  /** The row's id when the workflow chose it beforehand (a reminder that waited for approval under this id). */
  messageId?: string;
  userId: string;
  workerId?: string | null;
  role: MessageRole;
  agent: AgentType;
  channel: Channel;
  messageType: MessageType;
  locale: Locale;
  composed: ComposedMessage;
  deepLink?: string | null;
  campaignId?: string | null;
  correlationId?: string | null;
  workflowId: string;
}

/** What a response signal carries; the API sends it, the owning workflow records it. */
export interface MessageResponseEvent {
  messageId: string;
  response: Exclude<UserResponse, 'IGNORED'>;
  /** ISO time the person responded. */
  at: string;
  /** Reply text or booking id, when there is one. */
  detail?: string;
  /** A reply stored in `message_replies` (migration 0018): its text and intent are read from there. */
  replyId?: string;
}
