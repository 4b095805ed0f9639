import { randomUUID } from 'node:crypto';
import { ScheduleAlreadyRunning } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import { CampaignCountsSchema, CampaignStatusSchema } from '../../smartengage/campaign-schemas';
import { isKnownTimeZone } from '../../core/local-time';
import { conflict, notFound } from '../../lib/errors';
import * as campaigns from '../../smartengage/campaign-store';
import { SegmentCriteriaInput } from '../../smartengage/criteria';
import { campaignsStarted } from '../../smartengage/metrics';
import { openCampaign } from '../../smartengage/open-campaign';
import { customerTimeline } from '../../smartengage/decisions';
import { ExperimentSpec } from '../../smartengage/experiment-spec';
import { explainEligibility } from '../../smartengage/segment-query';
import { resolveCriteria } from '../../smartengage/criteria';
import * as schedules from '../../temporal/clients/cadence-schedule';
import { campaignProgress, startCampaignWorkflow } from '../../temporal/clients/campaign';
import { temporalErrorReason, temporalHttpError } from '../../temporal/grpc-errors';
import type { ApiDeps } from '../deps';
import { errorResponses, openApiRegistry } from '../openapi';
import { cronExpression, timeZoneName } from '../../lib/schedule-spec';
import { parseBody, parseParams, parseQuery } from '../validate';

// re-wrapped here: criteria.ts may load before zod is extended with .openapi()
const CriteriaSchema = z.object(SegmentCriteriaInput.shape).strict().openapi('SegmentCriteria');
// (an instance made after zod is extended, for the same reason)
const ExperimentSchema = ExperimentSpec.optional().openapi({
  description: 'Arms with weights; each eligible customer is put in one by a hash of (experiment, customer). A holdout arm is recorded but not contacted.',
});
export const RunSegmentBody = z.object({ segment_criteria: CriteriaSchema.optional(), experiment: ExperimentSchema }).strict().openapi('RunSegmentRequest');
const RunSegmentAccepted = z
  .object({
    job_id: z.uuid(),
    segment_id: z.string(),
    estimated_customers: z.number().int(),
    workflow_id: z.string(),
    status_url: z.string(),
    experiment_id: z.uuid().optional(),
    experiment_url: z.string().optional(),
  })
  .openapi('RunSegmentAccepted');
const JobParams = z.object({ job_id: z.uuid() });
const JobStatus = z
  .object({
    job_id: z.uuid(),
    segment_id: z.string(),
    status: CampaignStatusSchema,
    criteria: z.record(z.string(), z.unknown()),
    estimated_customers: z.number().int(),
    counts: CampaignCountsSchema,
    responses: z.record(z.string(), z.number().int()).openapi({ description: 'messages by recorded response (PENDING: none yet)' }),
    delivery: z.record(z.string(), z.number().int()),
    workflow_id: z.string(),
    correlation_id: z.string().nullable(),
    live: z.object({ phase: z.string(), runs: z.number().int(), cursor: z.string().nullable() }).nullable(),
    error: z.string().nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .openapi('SmartEngageJob');

const CustomerParams = z.object({ id: z.uuid() });
export const TimelineQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).optional().openapi({ description: 'newest events returned (default 200)' }),
    explain: z
      .enum(['true', 'false'])
      .optional()
      .openapi({ description: "`true` adds `eligibility`: the segment's own rules (default criteria) evaluated for this customer now — why a customer no campaign reached would (not) be in one" }),
  })
  .strict();
const TimelineEventSchema = z.object({
  at: z.string(),
  campaign_id: z.string().nullable(),
  workflow_id: z.string().nullable(),
  kind: z.enum(['eligible', 'skipped', 'assigned', 'scheduled', 'composed', 'awaiting_approval', 'approved', 'rejected', 'sent', 'failed', 'clicked', 'replied', 'booked', 'ignored']),
  reason: z.string().optional(),
  facts: z.record(z.string(), z.unknown()),
});
const TimelineResponse = z
  .object({
    customer_id: z.uuid(),
    events: z.array(TimelineEventSchema),
    eligibility: z
      .object({ as_of: z.string(), criteria: z.record(z.string(), z.unknown()), eligible: z.boolean(), failed: z.array(z.string()), has_service_to_remind: z.boolean() })
      .optional(),
  })
  .openapi('CustomerTimeline');

const ScheduleParams = z.object({ schedule_id: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/) });
export const CreateScheduleBody = z
  .object({
    schedule_id: ScheduleParams.shape.schedule_id.optional(),
    cron: cronExpression.optional(),
    timezone: timeZoneName.optional(),
    segment_criteria: CriteriaSchema.optional(),
    paused: z.boolean().optional(),
    note: z.string().max(200).optional(),
  })
  .strict()
  .openapi('CreateScheduleRequest');
const PauseBody = z.object({ note: z.string().max(200).optional() }).strict();
const ScheduleView = z
  .object({
    schedule_id: z.string(),
    cron: z.string().nullable(),
    timezone: z.string().nullable(),
    paused: z.boolean(),
    note: z.string().nullable(),
    criteria: z.record(z.string(), z.unknown()),
    next_runs: z.array(z.string()),
    recent_runs: z.array(z.object({ scheduled_at: z.string(), workflow_id: z.string() })),
  })
  .openapi('CadenceSchedule');

registerOpenApi();

export function smartengageRouter({ config, db, temporal, logger }: ApiDeps): Router {
  const router = Router();

  router.post('/run-segment', async (req, res) => {
    const body = parseBody(RunSegmentBody, req);
    const campaign = await openCampaign(db, config, { campaignId: randomUUID(), criteria: body.segment_criteria ?? {}, correlationId: req.correlationId, experiment: body.experiment });
    const campaignId = campaign.input.campaignId;
    try {
      await startCampaignWorkflow(temporal, config, campaign);
    } catch (error) {
      await campaigns.failCampaignStart(db, campaignId, `workflow start failed: ${temporalErrorReason(error)}`);
      throw temporalHttpError(error, 'start the campaign workflow');
    }
    campaignsStarted.inc({ trigger: 'api' });
    logger.info({ correlation_id: req.correlationId, campaignId, segment: campaign.segmentId, estimated: campaign.estimated }, 'SmartEngage campaign started');
    const experiment = campaign.input.experiment;
    const accepted: z.infer<typeof RunSegmentAccepted> = {
      job_id: campaignId,
      segment_id: campaign.segmentId,
      estimated_customers: campaign.estimated,
      workflow_id: campaign.workflowId,
      status_url: `/internal/ai/smartengage/jobs/${campaignId}`,
      ...(experiment ? { experiment_id: experiment.experimentId, experiment_url: `/internal/analytics/smartengage/experiments/${campaignId}` } : {}),
    };
    res.status(202).json(accepted);
  });

  router.get('/jobs/:job_id', async (req, res) => {
    const { job_id } = parseParams(JobParams, req);
    const row = await campaigns.findCampaign(db, job_id);
    if (!row) throw notFound('job');
    const live = row.status === 'RUNNING' || row.status === 'PENDING' ? await campaignProgress(temporal, row.workflow_id) : null;
    const { responses, delivery } = await campaigns.campaignResponses(db, job_id);
    const counts = live?.counts ?? { eligible: row.eligible_count, sent: row.sent_count, failed: row.failed_count, skipped: row.skipped_count, skippedReasons: row.skipped_reasons };
    const job: z.infer<typeof JobStatus> = {
      job_id: row.id,
      segment_id: row.segment_id,
      status: row.status,
      criteria: row.criteria,
      estimated_customers: row.estimated_count,
      counts: { eligible: counts.eligible, sent: counts.sent, failed: counts.failed, skipped: counts.skipped, skipped_reasons: counts.skippedReasons, in_flight: live?.inFlight ?? 0, awaiting_approval: live?.awaitingApproval ?? 0 },
      responses,
      delivery,
      workflow_id: row.workflow_id,
      correlation_id: row.correlation_id,
      live: live ? { phase: live.phase, runs: live.runs, cursor: live.cursor } : null,
      error: row.error,
      created_at: row.created_at.toISOString(),
      started_at: row.started_at?.toISOString() ?? null,
      finished_at: row.finished_at?.toISOString() ?? null,
    };
    res.json(job);
  });

  router.get('/customers/:id/timeline', async (req, res) => {
    const { id } = parseParams(CustomerParams, req);
    const query = parseQuery(TimelineQuery, req);
    const customer = await db.selectFrom('customers').select('id').where('id', '=', id).executeTakeFirst();
    if (!customer) throw notFound('customer');
    const events = await customerTimeline(db, id, query.limit ?? 200);
    if (query.explain !== 'true') return void res.json({ customer_id: id, events });
    const asOf = new Date();
    const criteria = resolveCriteria({}, config);
    const eligibility = await explainEligibility(db, criteria, asOf, id);
    res.json({ customer_id: id, events, ...(eligibility ? { eligibility: { as_of: asOf.toISOString(), criteria, ...eligibility } } : {}) });
  });

  router.get('/schedules', async (req, res) => {
    const skip = (scheduleId: string, error: Error) =>
      logger.warn({ correlation_id: req.correlationId, scheduleId, err: error }, 'schedule skipped: its memo cannot be decoded (another codec or a retired key)');
    res.json({ schedules: await schedules.listCadenceSchedules(temporal, skip) });
  });

  router.post('/schedules', async (req, res) => {
    const body = parseBody(CreateScheduleBody, req);
    const defaults = schedules.defaultScheduleOptions(config);
    const options = {
      scheduleId: body.schedule_id ?? defaults.scheduleId,
      cron: body.cron ?? defaults.cron,
      timezone: body.timezone ?? defaults.timezone,
      criteria: body.segment_criteria ?? {},
      paused: body.paused,
      note: body.note,
    };
    try {
      await schedules.createCadenceSchedule(temporal, config, options);
    } catch (error) {
      if (error instanceof ScheduleAlreadyRunning) throw conflict(`schedule ${options.scheduleId} already exists`);
      throw error;
    }
    res.status(201).json(await schedules.describeCadenceSchedule(temporal, options.scheduleId));
  });

  router.get('/schedules/:schedule_id', async (req, res) => {
    const { schedule_id } = parseParams(ScheduleParams, req);
    const view = await schedules.describeCadenceSchedule(temporal, schedule_id);
    if (!view) throw notFound('schedule');
    res.json(view);
  });

  const pauseRoute = (paused: boolean) => async (req: import('express').Request, res: import('express').Response) => {
    const { schedule_id } = parseParams(ScheduleParams, req);
    const { note } = parseBody(PauseBody, req);
    if (!(await schedules.setCadenceSchedulePaused(temporal, schedule_id, paused, note))) throw notFound('schedule');
    res.json(await schedules.describeCadenceSchedule(temporal, schedule_id));
  };
  router.post('/schedules/:schedule_id/pause', pauseRoute(true));
  router.post('/schedules/:schedule_id/unpause', pauseRoute(false));

  router.post('/schedules/:schedule_id/trigger', async (req, res) => {
    const { schedule_id } = parseParams(ScheduleParams, req);
    if (!(await schedules.triggerCadenceSchedule(temporal, schedule_id))) throw notFound('schedule');
    res.status(202).json({ schedule_id, triggered: true });
  });

  router.delete('/schedules/:schedule_id', async (req, res) => {
    const { schedule_id } = parseParams(ScheduleParams, req);
    if (!(await schedules.deleteCadenceSchedule(temporal, schedule_id))) throw notFound('schedule');
    res.status(204).end();
  });

  return router;
}

function registerOpenApi(): void {
  const base = '/internal/ai/smartengage';
  const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
  openApiRegistry.registerPath({
    method: 'post',
    path: `${base}/run-segment`,
    summary: 'Start a re-engagement campaign over a segment',
    description: 'Every criteria field is optional (defaults from configuration); `{}` runs the default segment. Answers at once; follow the job at `status_url`.',
    tags: ['smartengage'],
    request: { body: { content: { 'application/json': { schema: RunSegmentBody } } } },
    responses: { 202: json(RunSegmentAccepted, 'campaign started'), ...errorResponses(400, 401, 403, 422, 503) },
  });
  openApiRegistry.registerPath({
    method: 'get',
    path: `${base}/jobs/{job_id}`,
    summary: "A campaign's progress and counts",
    tags: ['smartengage'],
    request: { params: JobParams },
    responses: { 200: json(JobStatus, 'the job'), ...errorResponses(401, 403, 404, 422) },
  });
  openApiRegistry.registerPath({
    method: 'get',
    path: `${base}/customers/{id}/timeline`,
    summary: "Why (or why not) a customer got a reminder: every decision about them, newest first",
    tags: ['smartengage'],
    request: { params: CustomerParams, query: TimelineQuery },
    responses: { 200: json(TimelineResponse, 'the timeline'), ...errorResponses(401, 403, 404, 422) },
  });
  openApiRegistry.registerPath({
    method: 'get',
    path: `${base}/schedules`,
    summary: 'SmartEngage cadence schedules',
    tags: ['smartengage'],
    responses: { 200: json(z.object({ schedules: z.array(ScheduleView) }), 'schedules'), ...errorResponses(401, 403) },
  });
  openApiRegistry.registerPath({
    method: 'post',
    path: `${base}/schedules`,
    summary: 'Create a cadence schedule (default: the daily one from configuration)',
    tags: ['smartengage'],
    request: { body: { content: { 'application/json': { schema: CreateScheduleBody } } } },
    responses: { 201: json(ScheduleView, 'created'), ...errorResponses(400, 401, 403, 409, 422) },
  });
  for (const [method, suffix, summary] of [
    ['get', '', 'One schedule'],
    ['post', '/pause', 'Pause a schedule'],
    ['post', '/unpause', 'Resume a schedule'],
  ] as const) {
    openApiRegistry.registerPath({
      method,
      path: `${base}/schedules/{schedule_id}${suffix}`,
      summary,
      tags: ['smartengage'],
        request: { params: ScheduleParams, ...(method === 'post' ? { body: { content: { 'application/json': { schema: PauseBody } } } } : {}) },
      responses: { 200: json(ScheduleView, 'the schedule'), ...errorResponses(401, 403, 404, 422) },
    });
  }
  openApiRegistry.registerPath({
    method: 'post',
    path: `${base}/schedules/{schedule_id}/trigger`,
    summary: 'Run the cadence check now',
    tags: ['smartengage'],
    request: { params: ScheduleParams },
    responses: { 202: { description: 'triggered' }, ...errorResponses(401, 403, 404) },
  });
  openApiRegistry.registerPath({
    method: 'delete',
    path: `${base}/schedules/{schedule_id}`,
    summary: 'Delete a schedule',
    tags: ['smartengage'],
    request: { params: ScheduleParams },
    responses: { 204: { description: 'deleted' }, ...errorResponses(401, 403, 404) },
  });
}
