import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'kysely';
import { publicBaseUrl, type Config } from '../config';
import type { Db } from '../db/database';
import type { AgentType, MessageType } from '../db/types';
import type { Mailer } from '../email/mailer';
import { messageMail } from '../email/message-mail';
import { createUnsubscribeToken, unsubscribeSecret } from './unsubscribe-token';

export interface SendMessageEmailInput {
  messageId: string;
  /** Marketing mail carries the one-click unsubscribe link and headers; service mail does not. */
  marketing: boolean;
}

export interface SendMessageEmailResult {
  deliveryStatus: 'SENT' | 'DELIVERED';
  providerMessageId: string;
  alreadySent: boolean;
  agent: AgentType;
  messageType: MessageType;
}

export interface DeliveryDeps {
  config: Config;
  db: Db;
  mailer: Mailer;
}

async function loadForSending(db: Db, messageId: string) {
  const row = await db
    .selectFrom('ai_messages as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select([
      'm.id', 'm.user_id', 'm.agent_type', 'm.message_type', 'm.locale', 'm.subject', 'm.message_text', 'm.call_to_action',
      'm.deep_link', 'm.delivery_status', 'm.provider_message_id', 'm.safety_checks', 'u.email',
    ])
    .where('m.id', '=', messageId)
    .executeTakeFirst();
  if (!row) throw ApplicationFailure.create({ type: 'MessageNotFound', message: `message ${messageId} not found`, nonRetryable: true });
  return row;
}

/**
 * A 5xx SMTP reply (no such mailbox, policy rejection) will not change on retry; 4xx replies,
 * timeouts and lost connections are transient and left to Temporal's retry policy.
 */
function toSendFailure(error: unknown): Error {
  const code = (error as { responseCode?: number }).responseCode;
  if (typeof code === 'number' && code >= 500) {
    return ApplicationFailure.create({ type: 'SmtpPermanentFailure', message: `SMTP ${code}: ${(error as Error).message}`, nonRetryable: true });
  }
  return error as Error;
}

/**
 * Sends a recorded message by email, at most once: a message already SENT (or DELIVERED) is
 * not mailed again, and the Message-ID is derived from the message id so even a duplicate that
 * slipped through a crash between send and update is recognisable downstream. The address is
 * loaded here, never passed through Temporal.
 *
 * Status: SMTP acceptance means SENT — the relay took responsibility, nothing more is known.
 * DELIVERED is left for a real delivery signal (a DSN or a provider webhook), so the funnel
 * never claims deliveries it did not observe. The outbox (no SMTP) is SENT as well.
 */
export async function sendMessageEmail(deps: DeliveryDeps, input: SendMessageEmailInput): Promise<SendMessageEmailResult> {
  const { db } = deps;
  const message = await loadForSending(db, input.messageId);
  const meta = { agent: message.agent_type, messageType: message.message_type };
  if (message.delivery_status === 'SENT' || message.delivery_status === 'DELIVERED') {
    return { deliveryStatus: message.delivery_status, providerMessageId: message.provider_message_id ?? '', alreadySent: true, ...meta };
  }
  if ((message.safety_checks as { safe?: boolean }).safe !== true) {
    throw ApplicationFailure.create({ type: 'UnsafeMessage', message: `message ${message.id} has no passed safety check`, nonRetryable: true });
  }
  await db
    .updateTable('ai_messages')
    .set({ attempts: sql`attempts + 1`, updated_at: new Date() })
    .where('id', '=', message.id)
    .execute();

  const unsubscribeUrl = input.marketing
    ? `${publicBaseUrl(deps.config)}/unsubscribe/${createUnsubscribeToken(unsubscribeSecret(deps.config), message.user_id)}`
    : null;
  const mail = messageMail({
    to: message.email,
    messageId: message.id,
    locale: message.locale,
    subject: message.subject ?? '',
    body: message.message_text,
    callToAction: message.call_to_action ?? '',
    deepLink: message.deep_link,
    unsubscribeUrl,
  });

  let sent;
  try {
    sent = await deps.mailer.send(mail);
  } catch (error) {
    await db
      .updateTable('ai_messages')
      .set({ error: `attempt failed: ${(error as Error).message}`.slice(0, 1000), updated_at: new Date() })
      .where('id', '=', message.id)
      .execute();
    throw toSendFailure(error);
  }

  await db
    .updateTable('ai_messages')
    .set({ delivery_status: 'SENT', provider_message_id: sent.messageId, sent_at: new Date(), error: null, updated_at: new Date() })
    .where('id', '=', message.id)
    .execute();
  return { deliveryStatus: 'SENT', providerMessageId: sent.messageId, alreadySent: false, ...meta };
}

/**
 * Marks a message FAILED after its last delivery attempt. A message that did go out meanwhile
 * stays SENT. Returns what changed, for the metric.
 */
export async function markMessageFailed(db: Db, input: { messageId: string; error: string }) {
  return db
    .updateTable('ai_messages')
    .set({ delivery_status: 'FAILED', error: input.error.slice(0, 1000), updated_at: new Date() })
    .where('id', '=', input.messageId)
    .where('delivery_status', '=', 'PENDING')
    .returning(['agent_type', 'message_type'])
    .executeTakeFirst();
}
