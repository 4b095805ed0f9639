import { Router, type Response } from 'express';
import { z } from 'zod';
import { verifyDeepLinkToken } from '../../smartengage/deep-link-token';
import { bookingLandingUrl, recordDeepLinkClick } from '../../smartengage/deep-links';
import { linkProblemPage, type LinkProblem } from '../../smartengage/link-pages';
import { deepLinkClicks } from '../../smartengage/metrics';
import type { ApiDeps } from '../deps';
import { recordResponseWithSignal, type OutboxDrainer } from '../../temporal/clients/signal-outbox';
import { openApiRegistry } from '../openapi';

openApiRegistry.registerPath({
  method: 'get',
  path: '/l/{token}',
  summary: 'Tracked deep link from a reminder',
  description: "Verifies the signed token, records the click (and CLICKED on the message), redirects to the app's booking page pre-filled with the service, message and promo code, then tells the message's workflow.",
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

  const problem = (res: Response, kind: LinkProblem) => {
    deepLinkClicks.inc({ outcome: kind });
    res.status(kind === 'expired' ? 410 : 400).type('html').setHeader('cache-control', 'no-store').send(linkProblemPage(kind, config.APP_BASE_URL));
  };

  router.get('/l/:token', async (req, res) => {
    const token = String(req.params.token);
    const verdict = await verifyDeepLinkToken(token, config);
    if (!verdict.ok) return problem(res, verdict.reason);
    const link = await recordDeepLinkClick(db, verdict.claims.tokenId);
    if (!link) return problem(res, 'invalid');
    if (link.expiresAt.getTime() <= Date.now()) return problem(res, 'expired');

    // Only the first click is news to the workflow; repeats (re-opened mail, double taps) are
    // counted on the link and redirect without a round trip to Temporal.
    if (link.messageId && link.firstClick) {
      const message = await db.selectFrom('ai_messages').select(['id', 'workflow_id']).where('id', '=', link.messageId).executeTakeFirst();
      if (message) {
        const event = { messageId: message.id, response: 'CLICKED' as const, at: new Date().toISOString() };
        // Stored before the redirect (never downgrading a stronger response) together with the
        // signal owed to the workflow, which is sent after it by whichever API process is alive:
        // a click does not wait for Temporal, and a crash cannot lose it.
        await recordResponseWithSignal(db, message, event, req.correlationId);
        outbox.kick();
      }
    }
    deepLinkClicks.inc({ outcome: 'redirected' });
    res.setHeader('cache-control', 'no-store');
    res.redirect(302, bookingLandingUrl(config, link, token));
  });

  return router;
}
