import { Router, type Response } from 'express';
import { z } from 'zod';
import { verifyDeepLinkToken } from '../../smartengage/deep-link-token';
import { createClickBatcher } from '../../smartengage/click-batcher';
import { bookingLandingUrl } from '../../smartengage/deep-links';
import { linkProblemPage, type LinkProblem } from '../../smartengage/link-pages';
import { deepLinkClicks } from '../../smartengage/metrics';
import type { ApiDeps } from '../deps';
import type { OutboxDrainer } from '../../temporal/clients/signal-outbox';
import { openApiRegistry } from '../openapi';

openApiRegistry.registerPath({
  method: 'get',
  path: '/l/{token}',
  summary: 'Tracked deep link from a reminder',
  description: "Verifies the signed token, records the click (and CLICKED on the message) in one statement shared with the clicks of the same few milliseconds, and redirects to the app's booking page pre-filled with the service, message and promo code; the message's workflow is told afterwards, from a durable outbox.",
  tags: ['smartengage'],
  request: { params: z.object({ token: z.string() }) },
  responses: {
    302: { description: 'redirect to `APP_BASE_URL/book?service=…&ref=…&promo=…&token=…`' },
    400: { description: 'forged or unknown token: a friendly HTML page (bn + en)', content: { 'text/html': { schema: z.string() } } },
    410: { description: 'expired token: a friendly HTML page (bn + en)', content: { 'text/html': { schema: z.string() } } },
  },
});

export function linksRouter({ config, db }: ApiDeps, outbox: OutboxDrainer): Router {
  const router = Router();
  // clicks of the same few milliseconds share one statement and one commit (group commit)
  const clicks = createClickBatcher(db);

  const problem = (res: Response, kind: LinkProblem) => {
    deepLinkClicks.inc({ outcome: kind });
    res.status(kind === 'expired' ? 410 : 400).type('html').setHeader('cache-control', 'no-store').send(linkProblemPage(kind, config.APP_BASE_URL));
  };

  router.get('/l/:token', async (req, res) => {
    const token = String(req.params.token);
    const verdict = await verifyDeepLinkToken(token, config);
    if (!verdict.ok) return problem(res, verdict.reason);
    // one statement, shared with the clicks of the same few milliseconds, stores the click,
    // CLICKED and the signal owed to the workflow (first clicks only); the signal is sent later,
    // paced, by the outbox drainer: the redirect waits for no Temporal round trip and no
    // workflow work, and a crash after the commit loses nothing
    const link = await clicks.add({ tokenId: verdict.claims.tokenId, correlationId: req.correlationId, at: new Date() });
    if (!link) return problem(res, 'invalid');
    if (link.expiresAt.getTime() <= Date.now()) return problem(res, 'expired');
    if (link.signalOwed) outbox.kick();
    deepLinkClicks.inc({ outcome: 'redirected' });
    res.setHeader('cache-control', 'no-store');
    res.redirect(302, bookingLandingUrl(config, link, token));
  });

  return router;
}
