import { Router } from 'express';
import { z } from 'zod';
import { conflict, HttpError, notFound } from '../../lib/errors';
import { ApprovalListQuery, ApprovalListSchema, ApprovalParams, DecisionBody, DecisionResultSchema, type DecisionResult } from '../../smartengage/approval-schemas';
import { findApproval, waitingApprovals } from '../../smartengage/approval-queue';
import { deliverApprovalDecision } from '../../temporal/clients/approval-decision';
import type { ApiDeps } from '../deps';
import { actorOf } from '../middleware/auth';
import { errorResponses, openApiRegistry } from '../openapi';
import { parseBody, parseParams, parseQuery } from '../validate';

registerOpenApi();

/** `/internal/approvals`: reminders waiting in their workflows for an operator (DESIGN.md Part 2). */
export function approvalsRouter({ db, temporal }: ApiDeps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const { limit } = parseQuery(ApprovalListQuery, req);
    res.json({ approvals: await waitingApprovals(db, limit) });
  });

  router.post('/:message_id', async (req, res) => {
    const { message_id } = parseParams(ApprovalParams, req);
    const body = parseBody(DecisionBody, req);
    const entry = await findApproval(db, message_id);
    if (!entry) throw notFound('approval');
    if (entry.decision) {
      throw conflict(`message ${message_id} was already decided`, { decision: entry.decision, decided_by: entry.decided_by, decided_at: entry.decided_at?.toISOString() ?? null });
    }
    const delivered = await deliverApprovalDecision(temporal, entry.workflow_id, { messageId: message_id, decision: body.decision, note: body.note, decidedBy: actorOf(req) });
    if (!delivered.delivered) {
      if (delivered.refusal === 'decided') throw conflict(delivered.message);
      if (delivered.refusal === 'unknown') throw notFound('approval waiting in its workflow');
      throw new HttpError(409, 'not_waiting', `the run of message ${message_id} is no longer waiting: ${delivered.message}`);
    }
    const { result } = delivered;
    const answer: DecisionResult = { message_id: result.messageId, decision: result.decision, outcome: result.outcome };
    res.json(answer);
  });

  return router;
}

function registerOpenApi(): void {
  const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
  const list = openApiRegistry.register('ApprovalQueue', ApprovalListSchema);
  const decided = openApiRegistry.register('ApprovalDecided', DecisionResultSchema);
  openApiRegistry.registerPath({
    method: 'get',
    path: '/internal/approvals',
    summary: 'Reminders waiting for an operator (canary prompt version or flagged draft), oldest first',
    description: 'Read from the database, not from the workflows.',
    tags: ['approvals'],
    request: { query: ApprovalListQuery },
    responses: { 200: json(list, 'the queue'), ...errorResponses(401, 403, 422) },
  });
  openApiRegistry.registerPath({
    method: 'post',
    path: '/internal/approvals/{message_id}',
    summary: "Approve or reject a waiting reminder: delivered to its workflow as a Temporal Workflow Update",
    description: 'Approve: the draft is sent at the next moment inside the send window. Reject: the approved template is sent instead; draft, decision and note are recorded. 409 when already decided.',
    tags: ['approvals'],
    request: { params: ApprovalParams, body: { content: { 'application/json': { schema: DecisionBody } } } },
    responses: { 200: json(decided, 'delivered and stored'), ...errorResponses(401, 403, 404, 409, 422) },
  });
}
