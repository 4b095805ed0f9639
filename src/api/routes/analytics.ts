import { Router } from 'express';
import { z } from 'zod';
import { funnelRates, smartEngageFunnel, type FunnelRow } from '../../smartengage/funnel';
import type { ApiDeps } from '../deps';
import { errorResponses, openApiRegistry } from '../openapi';
import { parseParams, parseQuery } from '../validate';
import { notFound } from '../../lib/errors';
import { experimentAssignments, experimentReport } from '../../smartengage/experiment-report';

const DAY_MS = 86_400_000;

/** A report bound: a date or timestamp in 2000–2099 (a year 0000 or 9999 was accepted and echoed back). */
const reportBound = () =>
  z.iso
    .datetime({ offset: true })
    .or(z.iso.date())
    .refine((v) => Date.parse(v) >= Date.UTC(2000, 0, 1) && Date.parse(v) < Date.UTC(2100, 0, 1), 'must lie between 2000 and 2099');

export const FunnelQuery = z
  .object({
    from: reportBound().optional().openapi({ description: 'start (inclusive, 2000–2099); default 30 days before `to`' }),
    to: reportBound().optional().openapi({ description: 'end (exclusive, 2000–2099); default now' }),
    campaign_id: z.uuid().optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), { message: '`from` must be before `to`', path: ['from'] })
  .openapi('FunnelQuery');

const Counts = z.object({
  eligible: z.number().int().nullable(),
  messages: z.number().int(),
  sent: z.number().int(),
  delivered: z.number().int(),
  failed: z.number().int(),
  clicked: z.number().int(),
  booked: z.number().int(),
  replied: z.number().int().openapi({ description: 'messages answered with a reply (email or in-app)' }),
  asked_to_book: z.number().int().openapi({ description: 'messages answered with a reply classified book or reschedule (a booking made afterwards is still the conversion)' }),
});
const Rates = z.object({
  sent_of_eligible: z.number().nullable(),
  delivered_of_sent: z.number().nullable(),
  clicked_of_sent: z.number().nullable(),
  booked_of_clicked: z.number().nullable(),
  booked_of_sent: z.number().nullable(),
});
const FunnelEntry = z.object({ counts: Counts, rates: Rates });
const FunnelResponse = z
  .object({
    from: z.string(),
    to: z.string(),
    campaign_id: z.uuid().nullable(),
    total: FunnelEntry,
    by_campaign: z.array(FunnelEntry.extend({ campaign_id: z.string().nullable() })),
    by_prompt_version: z.array(FunnelEntry.extend({ prompt_version: z.number().int().nullable() })),
  })
  .openapi('SmartEngageFunnel');

openApiRegistry.registerPath({
  method: 'get',
  path: '/internal/analytics/smartengage',
  summary: 'SmartEngage funnel: eligible → sent → delivered → clicked → booked',
  description: 'Counts and rates over a period (messages by creation time, campaigns by creation time), overall, by campaign and by prompt version.',
  tags: ['analytics'],
  request: { query: FunnelQuery },
  responses: { 200: { description: 'the funnel', content: { 'application/json': { schema: FunnelResponse } } }, ...errorResponses(401, 403, 422) },
});

const entry = (row: FunnelRow) => {
  const counts = { eligible: row.eligible, messages: row.messages, sent: row.sent, delivered: row.delivered, failed: row.failed, clicked: row.clicked, booked: row.booked, replied: row.replied, asked_to_book: row.asked_to_book };
  return { counts, rates: funnelRates(counts) };
};

const ExperimentParams = z.object({ job_id: z.uuid() });
const UpliftSchema = z.object({ absolute: z.number(), relative: z.number().nullable(), ci95: z.tuple([z.number(), z.number()]), p_value: z.number() });
const ExperimentArmSchema = z.object({
  name: z.string(),
  kind: z.enum(['holdout', 'template', 'llm']),
  prompt_version: z.number().int().nullable(),
  send_time: z.string().nullable(),
  weight: z.number(),
  customers: z.number().int(),
  sent: z.number().int(),
  clicked: z.number().int(),
  booked: z.number().int().openapi({ description: 'customers with a booking inside the attribution window after assignment, by any path' }),
  booked_via_link: z.number().int().openapi({ description: "of those, bookings made through this campaign's link" }),
  booking_rate: z.number().nullable(),
  uplift_vs_holdout: UpliftSchema.nullable().openapi({ description: 'arm − holdout booking rate: pooled two-proportion z-test, Newcombe 95 % interval' }),
  uplift_note: z.string().nullable().openapi({ description: 'why uplift_vs_holdout is null (no holdout, the baseline itself, not enough data)' }),
});
const ExperimentReportSchema = z
  .object({
    job_id: z.uuid(),
    experiment_id: z.uuid(),
    name: z.string().nullable(),
    attribution_window_seconds: z.number().int(),
    window_closes_at: z.string().nullable(),
    arms: z.array(ExperimentArmSchema),
  })
  .openapi('ExperimentReport');

openApiRegistry.registerPath({
  method: 'get',
  path: '/internal/analytics/smartengage/experiments/{job_id}',
  summary: "A campaign's experiment: per arm customers, sent, clicked, booked, booking rate and uplift against the holdout",
  tags: ['analytics'],
  request: { params: ExperimentParams },
  responses: { 200: { description: 'the experiment', content: { 'application/json': { schema: ExperimentReportSchema } } }, ...errorResponses(401, 403, 404, 422) },
});

const AssignmentsQuery = z
  .object({ after: z.uuid().optional().openapi({ description: 'the last customer_id of the previous page' }), limit: z.coerce.number().int().min(1).max(1000).optional() })
  .strict();
const AssignmentsResponse = z
  .object({
    job_id: z.uuid(),
    assignments: z.array(
      z.object({ customer_id: z.uuid(), arm: z.string(), kind: z.enum(['holdout', 'template', 'llm']), assigned_at: z.string(), message_id: z.uuid().nullable(), deep_link: z.string().nullable() }),
    ),
    next_after: z.uuid().nullable(),
  })
  .openapi('ExperimentAssignments');

openApiRegistry.registerPath({
  method: 'get',
  path: '/internal/analytics/smartengage/experiments/{job_id}/assignments',
  summary: "Who is in which arm, with their reminder (keyset pages by customer id)",
  tags: ['analytics'],
  request: { params: ExperimentParams, query: AssignmentsQuery },
  responses: { 200: { description: 'a page of assignments', content: { 'application/json': { schema: AssignmentsResponse } } }, ...errorResponses(401, 403, 404, 422) },
});

export function analyticsRouter({ db }: ApiDeps): Router {
  const router = Router();
  router.get('/smartengage/experiments/:job_id', async (req, res) => {
    const { job_id } = parseParams(ExperimentParams, req);
    const report = await experimentReport(db, job_id);
    if (!report) throw notFound('experiment');
    res.json(report);
  });
  router.get('/smartengage/experiments/:job_id/assignments', async (req, res) => {
    const { job_id } = parseParams(ExperimentParams, req);
    const query = parseQuery(AssignmentsQuery, req);
    const limit = query.limit ?? 500;
    const assignments = await experimentAssignments(db, job_id, query.after ?? null, limit);
    if (!assignments) throw notFound('experiment');
    res.json({ job_id, assignments, next_after: assignments.length === limit ? assignments[assignments.length - 1].customer_id : null });
  });
  router.get('/smartengage', async (req, res) => {
    const query = parseQuery(FunnelQuery, req);
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
    const rows = await smartEngageFunnel(db, { from, to, campaignId: query.campaign_id });
    const total = rows.find((r) => r.dimension === 'total')!;
    const funnel: z.infer<typeof FunnelResponse> = {
      from: from.toISOString(),
      to: to.toISOString(),
      campaign_id: query.campaign_id ?? null,
      total: entry(total),
      by_campaign: rows.filter((r) => r.dimension === 'campaign').map((r) => ({ campaign_id: r.key, ...entry(r) })),
      by_prompt_version: rows.filter((r) => r.dimension === 'prompt_version').map((r) => ({ prompt_version: r.key === null ? null : Number(r.key), ...entry(r) })),
    };
    res.json(funnel);
  });
  return router;
}
