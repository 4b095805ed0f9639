import { Router } from 'express';
import { z } from 'zod';
import { funnelRates, smartEngageFunnel, type FunnelRow } from '../../smartengage/funnel';
import type { ApiDeps } from '../deps';
import { errorResponses, openApiRegistry } from '../openapi';
import { parseQuery } from '../validate';

const DAY_MS = 86_400_000;

export const FunnelQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().openapi({ description: 'start (inclusive); default 30 days before `to`' }),
    to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().openapi({ description: 'end (exclusive); default now' }),
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
  const counts = { eligible: row.eligible, messages: row.messages, sent: row.sent, delivered: row.delivered, failed: row.failed, clicked: row.clicked, booked: row.booked };
  return { counts, rates: funnelRates(counts) };
};

export function analyticsRouter({ db }: ApiDeps): Router {
  const router = Router();
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
