import { Router } from 'express';
import { z } from 'zod';
import { conflict, HttpError, notFound } from '../../lib/errors';
import { DraftSchema } from '../../prompts/schemas';
import { findApproval, waitingApprovals } from '../../smartengage/approval-queue';
import { deliverApprovalDecision } from '../../temporal/clients/approval-decision';
import type { ApiDeps } from '../deps';
import { errorResponses, openApiRegistry } from '../openapi';
import { parseBody, parseParams, parseQuery } from '../validate';
import { actorOf } from './prompts';

export const ApprovalSchema = z.object({
  message_id: z.uuid(),
  workflow_id: z.string(),
  customer_id: z.uuid(),
  campaign_id: z.uuid().nullable(),
  prompt_version: z.number().int(),
  prompt_id: z.uuid(),
  reason: z.enum(['canary', 'flagged']),
  draft: DraftSchema,
  model: z.string(),
  safety: z.record(z.string(), z.unknown()),
  waiting_since: z.string(),
  expires_at: z.string(),
});
const ApprovalList = z.object({ approvals: z.array(ApprovalSchema) });
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();
const MessageParams = z.object({ message_id: z.uuid() });
export const DecisionBody = z.object({ decision: z.enum(['approve', 'reject']), note: z.string().trim().max(1000).optional() }).strict();
const DecisionResult = z.object({ message_id: z.uuid(), decision: z.enum(['approve', 'reject']), outcome: z.enum(['draft_will_be_sent', 'template_will_be_sent']) });

registerOpenApi();

/** `/internal/approvals`: reminders waiting in their workflows for an operator (DESIGN.md Part 2). */
export function approvalsRouter({ db, temporal }: ApiDeps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const { limit } = parseQuery(ListQuery, req);
    const rows = await waitingApprovals(db, limit);
    res.json({
      approvals: rows.map((r) => ({
        message_id: r.message_id,
        workflow_id: r.workflow_id,
        customer_id: r.customer_id,
        campaign_id: r.campaign_id,
        prompt_version: r.prompt_version,
        prompt_id: r.prompt_id,
        reason: r.reason,
        draft: r.draft,
        model: r.model,
        safety: r.safety,
        waiting_since: r.waiting_since.toISOString(),
        expires_at: r.expires_at.toISOString(),
      })),
    });
  });

  router.post('/:message_id', async (req, res) => {
    const { message_id } = parseParams(MessageParams, req);
    const body = parseBody(DecisionBody, req);
    const entry = await findApproval(db, message_id);
    if (!entry) throw notFound('approval');
    const already = () => conflict(`message ${message_id} was already decided`, { decision: entry.decision, decided_by: entry.decided_by, decided_at: entry.decided_at?.toISOString() ?? null });
    if (entry.decision) throw already();
    const delivered = await deliverApprovalDecision(temporal, entry.workflow_id, { messageId: message_id, decision: body.decision, note: body.note, decidedBy: actorOf(req) });
    if (!delivered.delivered) {
      if (delivered.refusal === 'decided') throw conflict(delivered.message);
      if (delivered.refusal === 'unknown') throw notFound('approval waiting in its workflow');
      throw new HttpError(409, 'not_waiting', `the run of message ${message_id} is no longer waiting: ${delivered.message}`);
    }
    const { result } = delivered;
    res.json({ message_id: result.messageId, decision: result.decision, outcome: result.outcome });
  });

  return router;
}

function registerOpenApi(): void {
  const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
  const list = openApiRegistry.register('ApprovalQueue', ApprovalList);
  const decided = openApiRegistry.register('ApprovalDecided', DecisionResult);
  openApiRegistry.registerPath({
    method: 'get',
    path: '/internal/approvals',
    summary: 'Reminders waiting for an operator (canary prompt version or flagged draft), oldest first',
    description: 'Read from the database, not from the workflows.',
    tags: ['approvals'],
    request: { query: ListQuery },
    responses: { 200: json(list, 'the queue'), ...errorResponses(401, 403, 422) },
  });
  openApiRegistry.registerPath({
    method: 'post',
    path: '/internal/approvals/{message_id}',
    summary: "Approve or reject a waiting reminder: delivered to its workflow as a Temporal Workflow Update",
    description: 'Approve: the draft is sent at the next moment inside the send window. Reject: the approved template is sent instead; draft, decision and note are recorded. 409 when already decided.',
    tags: ['approvals'],
    request: { params: MessageParams, body: { content: { 'application/json': { schema: DecisionBody } } } },
    responses: { 200: json(decided, 'delivered and stored'), ...errorResponses(401, 403, 404, 409, 422) },
  });
}
