import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { publicBaseUrl, type Config } from '../config';
import type { Db } from '../db/database';
import { signDeepLinkToken } from './deep-link-token';
import { storedResponseWeakerThan } from '../messaging/responses';
import { messageDecisionInsert, UUID } from './decisions';
import type { CreatedDeepLink } from './types';

/**
 * A UUID derived from the owning workflow id: the deep link of one reminder has one identity,
 * so a retried activity finds its row instead of minting a second link.
 */
export function deepLinkTokenId(workflowId: string): string {
  const h = createHash('sha256').update(`deeplink:${workflowId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface NewDeepLink {
  customerId: string;
  serviceId: string;
  workflowId: string;
  ttlHours: number;
  promoCode: string | null;
}

export async function createDeepLink(db: Db, config: Config, link: NewDeepLink): Promise<CreatedDeepLink> {
  const tokenId = deepLinkTokenId(link.workflowId);
  await db
    .insertInto('deep_links')
    .values({
      token_id: tokenId,
      customer_id: link.customerId,
      service_id: link.serviceId,
      promo_code: link.promoCode,
      expires_at: sql`now() + make_interval(secs => ${Math.round(link.ttlHours * 3600)})`,
    })
    .onConflict((oc) => oc.column('token_id').doNothing())
    .execute();
  const row = await db.selectFrom('deep_links').selectAll().where('token_id', '=', tokenId).executeTakeFirstOrThrow();
  const token = await signDeepLinkToken(
    { tokenId, customerId: row.customer_id, serviceId: row.service_id ?? link.serviceId, promoCode: row.promo_code, expiresAt: row.expires_at },
    config,
  );
  return { tokenId, url: `${publicBaseUrl(config)}/l/${token}`, expiresAt: row.expires_at.toISOString() };
}

/** Ties the link to the message it was sent in (known only after the message row exists). */
export async function attachDeepLink(db: Db, tokenId: string, messageId: string): Promise<void> {
  await db.updateTable('deep_links').set({ message_id: messageId }).where('token_id', '=', tokenId).execute();
}

export interface ClickedLink {
  tokenId: string;
  customerId: string;
  serviceId: string | null;
  messageId: string | null;
  promoCode: string | null;
  expiresAt: Date;
  firstClick: boolean;
  /** A signal to the message's workflow was stored in the outbox (a first click of a live link). */
  signalOwed: boolean;
}

export interface Click {
  tokenId: string;
  correlationId?: string | null;
  /** When the click arrived (now): its `responded_at`, on the timeline and in the signal. */
  at?: Date;
}

/**
 * Records one click (see `recordDeepLinkClicks`). Null when no such link exists.
 */
export async function recordDeepLinkClick(db: Db, tokenId: string, correlationId: string | null = null): Promise<ClickedLink | null> {
  const [link] = await recordDeepLinkClicks(db, [{ tokenId, correlationId }]);
  return link;
}

/**
 * Records clicks in one statement and one commit, the only write a redirect waits for (group
 * commit: `createClickBatcher` hands it the clicks of a few milliseconds). Each link counts its
 * clicks (the first one also stamps first_clicked_at), and the first click of a link that has
 * not expired also stores CLICKED on its message (never downgrading, `storedResponseWeakerThan`),
 * the `clicked` decision on the customer's timeline, and the signal owed to the message's workflow
 * (`signal_outbox`, delivered later by `startOutboxDrainer`). A token clicked twice in one batch
 * counts twice, but only its earlier click is the first one. One statement is one transaction:
 * a crash before it commits loses the whole batch, so the next click is the first one again;
 * after it, nothing is half-written.
 *
 * The commit does not wait for the WAL flush (`synchronous_commit` off for this transaction
 * only): a PostgreSQL crash may lose the clicks of its last fraction of a second (at most
 * 3 × `wal_writer_delay`, 600 ms by default), never corrupt them, and nothing downstream can
 * have acted on a lost one: the outbox row rides in the same commit, and the drainer claims it
 * with a synchronous commit, which flushes the WAL past the click first.
 *
 * The links are locked in token order before they are updated, so two batches in flight at once
 * that share links wait for each other instead of deadlocking. Returns one entry per click, in
 * order: null when no such link exists (or the token id is not a UUID, which no link has).
 */
export async function recordDeepLinkClicks(db: Db, clicks: readonly Click[]): Promise<(ClickedLink | null)[]> {
  const now = new Date();
  const input = clicks.flatMap((c, ord) => (UUID.test(c.tokenId) ? [{ ord, token_id: c.tokenId, correlation_id: c.correlationId ?? null, at: (c.at ?? now).toISOString() }] : []));
  const results: (ClickedLink | null)[] = clicks.map(() => null);
  if (!input.length) return results;
  const { rows } = await sql<{
    ord: number;
    token_id: string;
    customer_id: string;
    service_id: string | null;
    message_id: string | null;
    promo_code: string | null;
    expires_at: Date;
    click_count: number;
    signal_owed: boolean;
  }>`
    WITH input AS MATERIALIZED (
      SELECT i.* FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS i(ord int, token_id uuid, correlation_id text, at text)
      -- the commit at the end of this statement does not wait for the WAL flush (see above)
      CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
    ),
    per_link AS (
      SELECT token_id, count(*)::int AS clicks, min(ord) AS first_ord FROM input GROUP BY token_id
    ),
    locked AS MATERIALIZED (
      SELECT d.token_id FROM deep_links d JOIN per_link p ON p.token_id = d.token_id ORDER BY d.token_id FOR UPDATE OF d
    ),
    link AS (
      UPDATE deep_links d SET click_count = d.click_count + p.clicks, first_clicked_at = coalesce(d.first_clicked_at, now())
      FROM per_link p JOIN locked l ON l.token_id = p.token_id
      WHERE d.token_id = p.token_id
      RETURNING d.token_id, d.customer_id, d.service_id, d.message_id, d.promo_code, d.expires_at,
                d.click_count - p.clicks AS clicks_before, p.first_ord
    ),
    first_click AS (
      SELECT DISTINCT ON (m.id) m.id, m.workflow_id, i.correlation_id, i.at
      FROM link JOIN ai_messages m ON m.id = link.message_id JOIN input i ON i.ord = link.first_ord
      WHERE link.clicks_before = 0 AND link.expires_at > now()
      ORDER BY m.id, i.ord
    ),
    response AS (
      UPDATE ai_messages SET user_response = 'CLICKED', responded_at = f.at::timestamptz, updated_at = now()
      FROM first_click f
      WHERE ai_messages.id = f.id AND ${storedResponseWeakerThan('CLICKED')}
    ),
    decision AS (${messageDecisionInsert(
      sql`ANY (SELECT id FROM first_click)`,
      'clicked',
      null,
      sql`(SELECT jsonb_build_object('response', 'CLICKED', 'responded_at', f.at) FROM first_click f WHERE f.id = m.id)`,
    )}),
    signal AS (
      INSERT INTO signal_outbox (message_id, workflow_id, event, correlation_id)
      SELECT id, workflow_id, jsonb_build_object('messageId', id, 'response', 'CLICKED', 'at', at), correlation_id FROM first_click
      RETURNING message_id
    )
    SELECT i.ord, link.token_id, link.customer_id, link.service_id, link.message_id, link.promo_code, link.expires_at,
           link.clicks_before + row_number() OVER (PARTITION BY link.token_id ORDER BY i.ord) AS click_count,
           i.ord = link.first_ord AND EXISTS (SELECT 1 FROM signal s WHERE s.message_id = link.message_id) AS signal_owed
    FROM input i JOIN link ON link.token_id = i.token_id`.execute(db);
  for (const row of rows) {
    results[row.ord] = {
      tokenId: row.token_id,
      customerId: row.customer_id,
      serviceId: row.service_id,
      messageId: row.message_id,
      promoCode: row.promo_code,
      expiresAt: new Date(row.expires_at),
      firstClick: Number(row.click_count) === 1,
      signalOwed: row.signal_owed,
    };
  }
  return results;
}

/** Where a click lands: the app's booking page, pre-filled, carrying the token for attribution. */
export function bookingLandingUrl(config: Config, link: { serviceId: string | null; messageId: string | null; promoCode: string | null }, token: string): string {
  const url = new URL('/book', config.APP_BASE_URL);
  if (link.serviceId) url.searchParams.set('service', link.serviceId);
  if (link.messageId) url.searchParams.set('ref', link.messageId);
  if (link.promoCode) url.searchParams.set('promo', link.promoCode);
  url.searchParams.set('token', token);
  return url.toString();
}
