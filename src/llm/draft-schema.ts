import { z } from 'zod';

/**
 * The shape the model is asked for. Lengths are stated in the descriptions, not as JSON Schema
 * `maxLength`: strict structured output accepts only a subset of JSON Schema, and a length
 * overrun is better handled by our own safety check (the `length` rule, with the span past
 * the limit, then a regeneration and the template) than by a rejected request.
 */
export const LlmDraftSchema = z.object({
  subject: z.string().describe('Email subject line, at most 150 characters'),
  body: z.string().describe('The message itself, at most 1200 characters, no links, phone numbers or email addresses'),
  call_to_action: z.string().describe('Short button label, at most 60 characters'),
});
