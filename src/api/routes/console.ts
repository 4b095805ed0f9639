import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';
import { z } from 'zod';
import { coachnovaActivity, coachnovaBoard, customerWithMessages, listCampaigns, searchCustomers } from '../../console/queries';
import {
  CampaignListSchema,
  CoachnovaActivitySchema,
  CoachnovaBoardSchema,
  ConsoleSettingsSchema,
  CustomerDetailSchema,
  CustomerMatchListSchema,
  type ConsoleSettings,
} from '../../console/schemas';
import { notFound } from '../../lib/errors';
import { projectRoot } from '../../runtime/project-root';
import type { ApiDeps } from '../deps';
import { errorResponses, openApiRegistry } from '../openapi';
import { parseParams, parseQuery } from '../validate';

/** Where `npm run build:console` (vite) writes the console; served as static files. */
export const CONSOLE_DIST = join(projectRoot(), 'console/dist');

const LimitQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }).strict();
const SearchQuery = z.object({ q: z.string().trim().min(3, 'type at least 3 characters of an email, or an id').max(254), limit: z.coerce.number().int().min(1).max(50).optional() }).strict();
const IdParams = z.object({ id: z.uuid() });
const ActivityQuery = z.object({ worker_id: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(200).optional() }).strict();

registerOpenApi();

/**
 * `GET /console`: the operator console's static files (no data in them; every datum comes from
 * the operator-only API). The client-side router owns the paths below /console, so any path
 * without a file answers index.html.
 */
export function consoleStaticRouter(): Router {
  const router = Router();
  router.use('/console', express.static(CONSOLE_DIST, { index: 'index.html', fallthrough: true, maxAge: '1h', setHeaders: (res, path) => {
    // index.html names the hashed assets: always fetch it fresh after a rebuild
    if (path.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
  } }));
  router.get(/^\/console(\/.*)?$/, (req, res, next) => {
    const index = join(CONSOLE_DIST, 'index.html');
    // a missing asset is a 404, not the page (a stale tab after a rebuild must not parse HTML as JS)
    if (!existsSync(index) || req.path.startsWith('/console/assets/')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}

/** `/internal/console/*` (operators): the read models the console needs beyond the other endpoints. */
export function consoleApiRouter({ config, db, temporal }: ApiDeps): Router {
  const router = Router();

  router.get('/settings', (_req, res) => {
    const settings: ConsoleSettings = { temporal_ui_url: config.TEMPORAL_UI_URL ?? `http://localhost:${config.TEMPORAL_UI_PORT}`, namespace: config.TEMPORAL_NAMESPACE, schedule_id: config.SE_SCHEDULE_ID };
    res.json(settings);
  });

  router.get('/campaigns', async (req, res) => {
    const { limit } = parseQuery(LimitQuery, req);
    res.json({ campaigns: await listCampaigns(db, temporal, limit ?? 50) });
  });

  router.get('/customers', async (req, res) => {
    const { q, limit } = parseQuery(SearchQuery, req);
    res.json({ customers: await searchCustomers(db, q, limit ?? 20) });
  });

  router.get('/customers/:id', async (req, res) => {
    const { id } = parseParams(IdParams, req);
    const found = await customerWithMessages(db, id);
    if (!found) throw notFound('customer');
    res.json(found);
  });

  router.get('/coachnova/workers', async (req, res) => {
    const { limit } = parseQuery(LimitQuery, req);
    res.json({ workers: await coachnovaBoard(db, config, temporal, limit ?? 100) });
  });

  router.get('/coachnova/activity', async (req, res) => {
    const { worker_id, limit } = parseQuery(ActivityQuery, req);
    res.json(await coachnovaActivity(db, worker_id, limit ?? 20));
  });

  return router;
}

function registerOpenApi(): void {
  const ok = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
  const tags = ['console'];
  const base = '/internal/console';
  openApiRegistry.registerPath({ method: 'get', path: `${base}/settings`, summary: 'What the console links to: the Temporal UI base URL and namespace', tags, responses: { 200: ok(ConsoleSettingsSchema, 'settings'), ...errorResponses(401, 403) } });
  openApiRegistry.registerPath({ method: 'get', path: `${base}/campaigns`, summary: 'Campaigns, newest first, with live counts for running ones', tags, request: { query: LimitQuery }, responses: { 200: ok(CampaignListSchema, 'campaigns'), ...errorResponses(401, 403, 422) } });
  openApiRegistry.registerPath({ method: 'get', path: `${base}/customers`, summary: 'Customers by id, or by email (exact or beginning)', tags, request: { query: SearchQuery }, responses: { 200: ok(CustomerMatchListSchema, 'matches'), ...errorResponses(401, 403, 422) } });
  openApiRegistry.registerPath({ method: 'get', path: `${base}/customers/{id}`, summary: "A customer and their messages, each with its safety verdict and response", tags, request: { params: IdParams }, responses: { 200: ok(CustomerDetailSchema, 'the customer'), ...errorResponses(401, 403, 404, 422) } });
  openApiRegistry.registerPath({ method: 'get', path: `${base}/coachnova/workers`, summary: 'Every worker with risk level and factors, highest risk first', tags, request: { query: LimitQuery }, responses: { 200: ok(CoachnovaBoardSchema, 'the board'), ...errorResponses(401, 403, 422) } });
  openApiRegistry.registerPath({ method: 'get', path: `${base}/coachnova/activity`, summary: 'Recent coaching tips and supervisor escalations', tags, request: { query: ActivityQuery }, responses: { 200: ok(CoachnovaActivitySchema, 'tips and escalations'), ...errorResponses(401, 403, 422) } });
}
