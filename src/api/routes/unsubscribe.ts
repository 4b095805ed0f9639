import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { badRequest } from '../../lib/errors';
import { revokeMarketingConsent } from '../../messaging/consent';
import { unsubscribePage } from '../../messaging/unsubscribe-page';
import { verifyUnsubscribeToken } from '../../messaging/unsubscribe-token';
import type { ApiDeps } from '../deps';
import { errorResponses, openApiRegistry } from '../openapi';

const TokenParams = z.object({ token: z.string().min(1).max(512).openapi({ description: 'signed unsubscribe token from the email' }) });
const UnsubscribedSchema = z.object({ unsubscribed: z.literal(true) }).openapi('Unsubscribed');

openApiRegistry.registerPath({
  method: 'get',
  path: '/unsubscribe/{token}',
  summary: 'Bilingual page asking to confirm the unsubscribe (a GET never unsubscribes: link scanners follow links)',
  tags: ['messages'],
  request: { params: TokenParams },
  responses: { 200: { description: 'confirm page (HTML)' }, 400: { description: 'invalid link page (HTML)' } },
});
openApiRegistry.registerPath({
  method: 'post',
  path: '/unsubscribe/{token}',
  summary: 'One-click unsubscribe (RFC 8058): turns marketing consent off, keeps other consent',
  tags: ['messages'],
  request: { params: TokenParams },
  responses: {
    200: { description: 'unsubscribed (JSON, or an HTML page for browsers)', content: { 'application/json': { schema: UnsubscribedSchema } } },
    ...errorResponses(400),
  },
});

const wantsHtml = (req: Request) => req.accepts(['json', 'html']) === 'html';

export function unsubscribeRouter({ config, db, logger }: ApiDeps): Router {
  const router = Router();
  const userFrom = (req: Request) => verifyUnsubscribeToken(config, String(req.params.token));

  const invalid = (req: Request, res: Response) => {
    if (wantsHtml(req)) return void res.status(400).type('html').send(unsubscribePage('invalid'));
    throw badRequest('invalid or forged unsubscribe token');
  };

  router.get('/unsubscribe/:token', async (req, res) => {
    if (!(await userFrom(req))) return invalid(req, res);
    res.type('html').send(unsubscribePage('confirm', req.originalUrl));
  });

  router.post('/unsubscribe/:token', async (req, res) => {
    const userId = await userFrom(req);
    if (!userId) return invalid(req, res);
    const { found } = await revokeMarketingConsent(db, userId);
    logger.info({ correlationId: req.correlationId, userId, found }, 'marketing consent revoked by unsubscribe');
    if (wantsHtml(req)) return void res.type('html').send(unsubscribePage('done'));
    const body: z.infer<typeof UnsubscribedSchema> = { unsubscribed: true };
    res.json(body);
  });
  return router;
}
