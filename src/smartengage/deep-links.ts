import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { publicBaseUrl, type Config } from '../config';
import type { Db } from '../db/database';
import { signDeepLinkToken } from './deep-link-token';
import { storedResponseWeakerThan } from '../messaging/responses';
import { responseDecisionInsert } from './decisions';
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

/**
 * Records a click in one statement, the only write the redirect waits for: the link counts it
 * (the first one also stamps first_clicked_at), and a first click of a link that has not expired
 * also stores CLICKED on its message (never downgrading, `storedResponseWeakerThan`), the
 * `clicked` decision on the customer's timeline, and the signal owed to the message's workflow
 * (`signal_outbox`, delivered later by `startOutboxDrainer`). One statement is one transaction:
 * a crash before it commits loses the whole click, so the next click is the first one again;
 * after it, nothing is lost. Null when no such link exists.
 */
export async function recordDeepLinkClick(db: Db, tokenId: string, correlationId: string | null = null): Promise<ClickedLink | null> {
  const at = new Date().toISOString();
  const firstMessage = sql`(SELECT id FROM first_click)`;
  const { rows } = await sql<{
    token_id: string;
    customer_id: string;
    service_id: string | null;
    message_id: string | null;
    promo_code: string | null;
    expires_at: Date;
    click_count: number;
    signal_owed: boolean;
  }>`
    WITH link AS (
      UPDATE deep_links SET click_count = click_count + 1, first_clicked_at = coalesce(first_clicked_at, now())
      WHERE token_id = ${tokenId}
      RETURNING token_id, customer_id, service_id, message_id, promo_code, expires_at, click_count
    ),
    first_click AS (
      SELECT m.id, m.workflow_id FROM link JOIN ai_messages m ON m.id = link.message_id
      WHERE link.click_count = 1 AND link.expires_at > now()
    ),
    response AS (
      UPDATE ai_messages SET user_response = 'CLICKED', responded_at = ${at}::timestamptz, updated_at = now()
      WHERE id = ${firstMessage} AND ${storedResponseWeakerThan('CLICKED')}
    ),
    decision AS (${responseDecisionInsert(firstMessage, { response: 'CLICKED', at })}),
    signal AS (
      INSERT INTO signal_outbox (message_id, workflow_id, event, correlation_id)
      SELECT id, workflow_id, jsonb_build_object('messageId', id, 'response', 'CLICKED', 'at', ${at}::text), ${correlationId} FROM first_click
      RETURNING id
    )
    SELECT link.*, EXISTS (SELECT 1 FROM signal) AS signal_owed FROM link`.execute(db);
  const row = rows[0];
  if (!row) return null;
  return {
    tokenId: row.token_id,
    customerId: row.customer_id,
    serviceId: row.service_id,
    messageId: row.message_id,
    promoCode: row.promo_code,
    expiresAt: new Date(row.expires_at),
    firstClick: row.click_count === 1,
    signalOwed: row.signal_owed,
  };
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
