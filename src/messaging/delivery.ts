import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'kysely';
import { publicBaseUrl, type Config } from '../config';
import type { Db } from '../db/database';
import { isDatabaseUnavailable } from '../db/errors';
import type { AgentType, MessageType } from '../db/types';
import type { Mailer, OutgoingMail, SentMail } from '../email/mailer';
import { SentMailboxUnavailable, type SentMailbox, type SentMailboxProblem } from '../email/sent-mailbox';
import { messageMail } from '../email/message-mail';
import { replyAddress } from '../replies/reply-address';
import { createUnsubscribeToken } from './unsubscribe-token';

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
  /** This send followed an attempt whose outcome is unknown: the customer may have two copies (same Message-ID). */
  resendAfterUnknownOutcome?: boolean;
  /** An attempt whose outcome was unknown did send it: found in the Sent mailbox, recorded SENT without mailing again. */
  confirmedFromSentMailbox?: boolean;
  /** Why the Sent mailbox could not be asked before this resend (it then went out as without one). */
  sentMailboxUnavailable?: { problem: SentMailboxProblem; detail: string };
  /** From the server's acceptance to SENT recorded: the window in which a crash causes a resend. */
  acceptToRecordMs?: number;
}

export interface DeliveryDeps {
  config: Config;
  db: Db;
  mailer: Mailer;
  /** SENT_MAILBOX_URL's mailbox: asked before a send left in doubt is made again; none, the resend goes out. */
  sentMailbox?: SentMailbox | null;
}

/**
 * The send lease: held by one delivery attempt while it talks to the mail server and renewed
 * every LEASE_RENEW_MS while it does, so it lapses within SEND_LEASE_SECONDS of the holder
 * dying (a killed worker) rather than outliving it by the mailer's worst case. The send
 * activity's heartbeat timeout (SEND_HEARTBEAT_TIMEOUT) is shorter than the lease: Temporal
 * starts the retry about when the dead holder's lease lapses.
 */
export const SEND_LEASE_SECONDS = 10;
const LEASE_RENEW_MS = 2000;
/** How often an attempt that met another's live lease looks again. */
const LEASE_POLL_MS = 500;

/**
 * What the running activity offers a send: heartbeats (so Temporal notices a dead worker within
 * the heartbeat timeout, not the start-to-close timeout) and its cancellation (the attempt was
 * timed out or the worker is stopping: stop renewing the lease).
 */
export interface AttemptContext {
  heartbeat(): void;
  cancelled: AbortSignal;
}

const NO_ATTEMPT_CONTEXT: AttemptContext = { heartbeat: () => undefined, cancelled: new AbortController().signal };

type SendableMessage = Awaited<ReturnType<typeof loadForSending>>;

async function loadForSending(db: Db, messageId: string) {
  const row = await db
    .selectFrom('ai_messages as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select([
      'm.id', 'm.user_id', 'm.agent_type', 'm.message_type', 'm.locale', 'm.subject', 'm.message_text', 'm.call_to_action',
      'm.deep_link', 'm.delivery_status', 'm.provider_message_id', 'm.safety_checks', 'u.email', 'u.consent',
    ])
    .where('m.id', '=', messageId)
    .executeTakeFirst();
  if (!row) throw ApplicationFailure.create({ type: 'MessageNotFound', message: `message ${messageId} not found`, nonRetryable: true });
  return row;
}

const isSent = (m: SendableMessage) => m.delivery_status === 'SENT' || m.delivery_status === 'DELIVERED';

function alreadySent(m: SendableMessage): SendMessageEmailResult {
  return {
    deliveryStatus: m.delivery_status as 'SENT' | 'DELIVERED',
    providerMessageId: m.provider_message_id ?? '',
    alreadySent: true,
    agent: m.agent_type,
    messageType: m.message_type,
  };
}

/**
 * Takes the message's send lease for attempt `owner` and counts the attempt, in one conditional
 * UPDATE: undefined when the message is no longer sendable or another attempt holds a live lease.
 * A lapsed lease that still names an owner was left by an attempt whose outcome is unknown (see
 * `sendRecordingErrors`): the message is in doubt, and what this attempt does about it (confirm
 * from the Sent mailbox, or resend) is counted once it is decided.
 */
async function claimSendLease(db: Db, messageId: string, owner: string): Promise<{ inDoubt: boolean } | undefined> {
  // the row locked and read as it is now (not as of the statement's start), so the lease taken over is the one updated
  const previous = db.selectFrom('ai_messages').select(['id as previous_id', 'send_lease_owner as previous_owner']).where('id', '=', messageId).forUpdate().as('previous');
  const claimed = await db
    .updateTable('ai_messages')
    .from(previous)
    .set({
      attempts: sql`attempts + 1`,
      send_lease_until: sql`now() + make_interval(secs => ${SEND_LEASE_SECONDS})`,
      send_lease_owner: owner,
      updated_at: new Date(),
    })
    .whereRef('ai_messages.id', '=', 'previous.previous_id')
    .where('ai_messages.delivery_status', 'in', ['PENDING', 'FAILED'])
    .where((eb) => eb.or([eb('ai_messages.send_lease_until', 'is', null), eb('ai_messages.send_lease_until', '<', sql<Date>`now()`)]))
    .returning(sql<boolean>`previous.previous_owner IS NOT NULL`.as('in_doubt'))
    .executeTakeFirst();
  return claimed && { inDoubt: claimed.in_doubt };
}

/** Extends the lease, only while `owner` still holds it. */
async function renewSendLease(db: Db, messageId: string, owner: string): Promise<void> {
  await db
    .updateTable('ai_messages')
    .set({ send_lease_until: sql`now() + make_interval(secs => ${SEND_LEASE_SECONDS})` })
    .where('id', '=', messageId)
    .where('send_lease_owner', '=', owner)
    .execute();
}

/**
 * Claims the lease, or waits while another attempt holds it (heartbeating, so this attempt is
 * not taken for dead meanwhile) and takes over once the holder stops renewing it. Returns null
 * when the other attempt sent the message meanwhile. A retry that meets a live lease therefore
 * waits; it never fails the message.
 */
async function claimOrAwaitLease(db: Db, messageId: string, owner: string, attempt: AttemptContext): Promise<{ message: SendableMessage; inDoubt: boolean } | 'sent'> {
  for (;;) {
    const claim = await claimSendLease(db, messageId, owner);
    if (claim) return { message: await loadForSending(db, messageId), ...claim };
    const latest = await loadForSending(db, messageId);
    if (isSent(latest)) return 'sent';
    attempt.heartbeat();
    if (attempt.cancelled.aborted) throw attempt.cancelled.reason ?? new Error('delivery attempt cancelled');
    await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
  }
}

async function composeMail(config: Config, message: SendableMessage, marketing: boolean): Promise<OutgoingMail> {
  const unsubscribeUrl = marketing
    ? `${publicBaseUrl(config)}/unsubscribe/${await createUnsubscribeToken(config, message.user_id)}`
    : null;
  return messageMail({
    to: message.email,
    messageId: message.id,
    locale: message.locale,
    subject: message.subject ?? '',
    body: message.message_text,
    callToAction: message.call_to_action ?? '',
    deepLink: message.deep_link,
    unsubscribeUrl,
    // every reminder and coaching email: a reply reaches the inbound listener and the reply path
    replyTo: replyAddress(config, message.id),
  });
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

/** Connection errors that mean the mail server was never reached: nothing was handed over. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether the mail server may have accepted a mail whose send failed. A reply (4xx, 5xx) is a
 * refusal; a connection never made delivered nothing; anything else — the connection lost or
 * timed out with no reply, possibly after the message's final dot — is unknown: the server may
 * have accepted it (RFC 1047's window), and SMTP offers no way to ask.
 */
export function sendOutcomeUnknown(error: unknown): boolean {
  const { responseCode, code, originalCode } = error as { responseCode?: unknown; code?: string; originalCode?: string };
  if (typeof responseCode === 'number') return false;
  return !NEVER_CONNECTED.has(originalCode ?? code ?? '');
}

/**
 * Renews the lease and heartbeats every LEASE_RENEW_MS until the returned function is called;
 * once the attempt is cancelled (Temporal gave up on it) renewals stop, so a retry can take over
 * within the lease time.
 */
function keepLease(db: Db, messageId: string, owner: string, attempt: AttemptContext): () => void {
  const renewal = setInterval(() => {
    if (attempt.cancelled.aborted) return clearInterval(renewal);
    attempt.heartbeat();
    renewSendLease(db, messageId, owner).catch(() => undefined);
  }, LEASE_RENEW_MS);
  return () => clearInterval(renewal);
}

/**
 * Sends while holding the lease (keepLease). A refused send releases the lease; one whose
 * outcome is unknown ends it but keeps its owner, which tells the retry that its send may be a
 * second copy (as a lease left by a killed worker does).
 */
async function sendRecordingErrors(deps: DeliveryDeps, messageId: string, owner: string, mail: OutgoingMail, attempt: AttemptContext): Promise<SentMail> {
  const stopRenewal = keepLease(deps.db, messageId, owner, attempt);
  try {
    return await deps.mailer.send(mail);
  } catch (error) {
    // no renewal may land after this update: a lease left in doubt keeps its owner
    stopRenewal();
    await deps.db
      .updateTable('ai_messages')
      .set({
        error: `attempt failed${sendOutcomeUnknown(error) ? ' (outcome unknown: the server may have accepted it)' : ''}: ${(error as Error).message}`.slice(0, 1000),
        ...(sendOutcomeUnknown(error) ? { send_lease_until: sql<Date>`now()` } : { send_lease_until: null, send_lease_owner: null }),
        updated_at: new Date(),
      })
      .where('id', '=', messageId)
      .where('send_lease_owner', '=', owner)
      .execute();
    throw toSendFailure(error);
  } finally {
    stopRenewal();
  }
}

/**
 * Whether the in-doubt attempt's mail reached the sender's Sent mailbox (SENT_MAILBOX_URL):
 * Gmail files there every message its relay accepted, so a copy there is the acceptance SMTP
 * could not confirm. The lease is held (renewed) meanwhile. 'no-mailbox' when none is configured;
 * a mailbox that cannot be asked (down, slow past its timeout, login refused) yields the problem,
 * and the caller resends as it would without one — an email is never held back for IMAP.
 */
async function askSentMailbox(
  deps: DeliveryDeps,
  messageId: string,
  owner: string,
  mailMessageId: string,
  attempt: AttemptContext,
): Promise<'found' | 'not-found' | 'no-mailbox' | { problem: SentMailboxProblem; detail: string }> {
  if (!deps.sentMailbox) return 'no-mailbox';
  const stopRenewal = keepLease(deps.db, messageId, owner, attempt);
  try {
    return (await deps.sentMailbox.contains(mailMessageId)) ? 'found' : 'not-found';
  } catch (error) {
    return error instanceof SentMailboxUnavailable ? { problem: error.problem, detail: error.message } : { problem: 'protocol', detail: String(error) };
  } finally {
    stopRenewal();
  }
}

/**
 * Counts, on the row, the send about to be made after an unknown outcome: counted before it
 * goes out, so a copy the customer may get twice is always explained by its row. Only while this
 * attempt still holds the lease: one that lost it during the check (cancelled by Temporal, the
 * lease taken over) must not send, and fails for the retry policy instead.
 */
async function countResend(db: Db, messageId: string, owner: string): Promise<void> {
  const counted = await db
    .updateTable('ai_messages')
    .set({ unknown_outcome_resends: sql<number>`unknown_outcome_resends + 1`, updated_at: new Date() })
    .where('id', '=', messageId)
    .where('send_lease_owner', '=', owner)
    .executeTakeFirst();
  if (counted.numUpdatedRows === 0n) throw new Error(`message ${messageId}: send lease lost while asking the Sent mailbox; not sent by this attempt`);
}

/** How long an attempt keeps trying to record SENT for a mail the server already accepted. */
const RECORD_SENT_PATIENCE_MS = 20_000;

/**
 * Records SENT for a mail the server has accepted. A database outage at that moment (a
 * restart, connections terminated) must not fail the attempt: its retry would find the message
 * PENDING and mail it a second time (the chaos suite saw this). So the update is retried,
 * heartbeating, for as long as the database is merely unavailable.
 */
async function recordSent(db: Db, messageId: string, sent: SentMail, attempt: AttemptContext, confirmed = false): Promise<void> {
  const giveUpAt = Date.now() + RECORD_SENT_PATIENCE_MS;
  for (;;) {
    try {
      await db
        .updateTable('ai_messages')
        .set({
          delivery_status: 'SENT',
          provider_message_id: sent.messageId,
          sent_at: new Date(),
          error: null,
          send_lease_until: null,
          send_lease_owner: null,
          ...(confirmed ? { unknown_outcome_confirmed: sql<number>`unknown_outcome_confirmed + 1` } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', messageId)
        .execute();
      return;
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() > giveUpAt) throw error;
      attempt.heartbeat();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * Sends a recorded message by email: a message already SENT (or DELIVERED) is not mailed again,
 * marketing mail goes only to someone who still consents (else a non-retryable
 * MarketingConsentRevoked), overlapping attempts are kept apart by a renewed lease (a retry waits
 * for a live one and takes over a lapsed one). The address is loaded here, never passed through
 * Temporal.
 *
 * SMTP has no idempotency key and no way to ask whether a message was accepted, so an attempt
 * that ends without knowing (its worker killed between the server's acceptance and SENT
 * recorded, or the connection lost with no reply) leaves the message in doubt. The attempt that
 * takes it over first asks the sender's Sent mailbox (SENT_MAILBOX_URL; Gmail keeps a copy of
 * everything its relay accepted): found, it records SENT without sending and counts
 * `unknown_outcome_confirmed` — exactly once. Not found, no mailbox configured, or the mailbox
 * unreachable: it resends rather than risk a lost email — at least once — with the same
 * Message-ID (derived from the message id), so it is the same email to the receiving side, and
 * counts it on the row (`unknown_outcome_resends`). README, runbook: "After a crash mid-send".
 *
 * Status: SMTP acceptance means SENT — the relay took responsibility, nothing more is known.
 * DELIVERED is left for a real delivery signal (a DSN or a provider webhook), so the funnel
 * never claims deliveries it did not observe. The outbox (no SMTP) is SENT as well.
 */
export async function sendMessageEmail(deps: DeliveryDeps, input: SendMessageEmailInput, attempt: AttemptContext = NO_ATTEMPT_CONTEXT): Promise<SendMessageEmailResult> {
  const message = await loadForSending(deps.db, input.messageId);
  if (isSent(message)) return alreadySent(message);
  if ((message.safety_checks as { safe?: boolean }).safe !== true) {
    throw ApplicationFailure.create({ type: 'UnsafeMessage', message: `message ${message.id} has no passed safety check`, nonRetryable: true });
  }
  if (input.marketing && message.consent?.marketing !== true) {
    // the last moment to honour an unsubscribe that arrived while the message was being written
    await deps.db.updateTable('ai_messages').set({ error: 'marketing consent revoked before sending', updated_at: new Date() }).where('id', '=', message.id).execute();
    throw ApplicationFailure.create({ type: 'MarketingConsentRevoked', message: `recipient of message ${message.id} has no marketing consent`, nonRetryable: true });
  }
  const owner = randomUUID();
  const claimed = await claimOrAwaitLease(deps.db, message.id, owner, attempt);
  if (claimed === 'sent') return alreadySent(await loadForSending(deps.db, message.id));

  const mail = await composeMail(deps.config, claimed.message, input.marketing);
  const outcome = { agent: message.agent_type, messageType: message.message_type };
  let sentMailboxUnavailable: SendMessageEmailResult['sentMailboxUnavailable'];
  if (claimed.inDoubt) {
    const check = await askSentMailbox(deps, message.id, owner, mail.messageId!, attempt);
    if (check === 'found') {
      await recordSent(deps.db, message.id, { messageId: mail.messageId!, destination: 'sent-mailbox' }, attempt, true);
      return { deliveryStatus: 'SENT', providerMessageId: mail.messageId!, alreadySent: false, ...outcome, confirmedFromSentMailbox: true };
    }
    if (check !== 'not-found' && check !== 'no-mailbox') sentMailboxUnavailable = check;
    await countResend(deps.db, message.id, owner);
  }

  const sent = await sendRecordingErrors(deps, message.id, owner, mail, attempt);
  // from here until recordSent commits, a crash leaves the accepted mail PENDING: keep this short
  const acceptedAt = performance.now();
  await recordSent(deps.db, message.id, sent, attempt);
  return {
    deliveryStatus: 'SENT',
    providerMessageId: sent.messageId,
    alreadySent: false,
    ...outcome,
    resendAfterUnknownOutcome: claimed.inDoubt,
    ...(sentMailboxUnavailable ? { sentMailboxUnavailable } : {}),
    acceptToRecordMs: performance.now() - acceptedAt,
  };
}

/**
 * Marks a message FAILED after its last delivery attempt; a message that did go out meanwhile
 * stays SENT, and a second call changes nothing. Returns the changed row (for the metric).
 */
export async function markMessageFailed(db: Db, input: { messageId: string; error: string }) {
  return db
    .updateTable('ai_messages')
    .set({ delivery_status: 'FAILED', error: input.error.slice(0, 1000), send_lease_until: null, send_lease_owner: null, updated_at: new Date() })
    .where('id', '=', input.messageId)
    .where('delivery_status', '=', 'PENDING')
    .returning(['agent_type', 'message_type'])
    .executeTakeFirst();
}
