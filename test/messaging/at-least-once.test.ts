import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { createMessagingActivities } from '../../src/activities/messaging';
import { createMailer, type Mailer } from '../../src/email/mailer';
import { createSentMailbox, type SentMailbox } from '../../src/email/sent-mailbox';
import { createLogger } from '../../src/lib/logger';
import { emailSentMailboxUnavailable, emailUnknownOutcomeConfirmed, emailUnknownOutcomeResends } from '../../src/lib/metrics';
import { sendMessageEmail, sendOutcomeUnknown } from '../../src/messaging/delivery';
import { freePort } from '../../src/temporal/dev-server';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { activeTemplateId, createUser, recordInput } from './fixtures';

/**
 * The decision (README, runbook "After a crash mid-send"). SMTP has no idempotency key and no way
 * to ask whether a mail was accepted, so an attempt that ends without knowing — its worker killed
 * between the server's 250 and SENT recorded, or the connection lost after the final dot with no
 * reply — leaves the message in doubt; a refusal or a connection never made does not.
 * Without SENT_MAILBOX_URL the next attempt resends with the same Message-ID, counted on the row
 * (at least once). With it, the next attempt first looks for the Message-ID in the sender's Sent
 * mailbox (here a real IMAP server laid out like Gmail, which the test SMTP server files every
 * accepted mail into, as Gmail's relay does): found, SENT without sending (exactly once); not
 * found or the mailbox unreachable, the resend as before.
 */
let system: TestSystem;
let activities: ReturnType<typeof createMessagingActivities>;
let templateId: string;

beforeAll(async () => {
  system = await startTestSystem({ worker: false, sentMailbox: true });
  activities = createMessagingActivities({ config: system.config, db: system.db, mailer: system.mailer, logger: createLogger('silent'), openai: null });
  templateId = await activeTemplateId(system.db, 'bn');
}, 120_000);
afterAll(async () => {
  await system.stop();
});

const messageRow = (id: string) => system.db.selectFrom('ai_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const copiesOf = (messageId: string) => system.smtp.messages.filter((m) => m.messageId === `<${messageId}@shoktiai>`);
const resendsCounted = async () => (await emailUnknownOutcomeResends.get()).values.reduce((sum, v) => sum + v.value, 0);
const confirmedCounted = async () => (await emailUnknownOutcomeConfirmed.get()).values.reduce((sum, v) => sum + v.value, 0);

/** The worker's activities with SENT_MAILBOX_URL set (`activities` above are a worker's without it), and what they log. */
function activitiesWithSentMailbox(sentMailbox: SentMailbox) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { lines, activities: createMessagingActivities({ config: system.config, db: system.db, mailer: system.mailer, logger, openai: null, sentMailbox }) };
}

/**
 * Plays a worker SIGKILLed right after the server's 250: the mail is accepted (and, as at
 * Gmail, filed in Sent), nothing after the send runs and the lease is no longer renewed.
 */
async function sendAndDieAfterAcceptance(messageId: string): Promise<void> {
  const killed = new AbortController();
  const dying: Mailer = {
    ...system.mailer,
    send: async (mail) => {
      await system.mailer.send(mail);
      killed.abort(new Error('worker SIGKILLed'));
      return new Promise<never>(() => undefined);
    },
  };
  const before = system.smtp.messages.length;
  void sendMessageEmail({ config: system.config, db: system.db, mailer: dying }, { messageId, marketing: true }, { heartbeat: () => undefined, cancelled: killed.signal });
  await system.smtp.waitForMessages(before + 1);
  expect(copiesOf(messageId)).toHaveLength(1);
  expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'PENDING', unknown_outcome_resends: 0, unknown_outcome_confirmed: 0 });
}

async function recordedMessage(): Promise<string> {
  const user = await createUser(system.db);
  return (await activities.recordMessage(recordInput(user.id, templateId))).messageId;
}

/**
 * A mail server that reads a whole message (to its final dot) and then drops the connection
 * without a reply: from the sender's side the outcome is unknown (RFC 1047's window).
 */
async function startSilentAfterDataServer(): Promise<{ url: string; received: number; close(): Promise<void> }> {
  const state = { received: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let inData = false;
    let buffer = '';
    socket.write('220 silent.test ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      if (inData) {
        if (buffer.includes('\r\n.\r\n')) {
          state.received++;
          socket.destroy();
        }
        return;
      }
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end).toUpperCase();
        buffer = buffer.slice(end + 2);
        if (line.startsWith('EHLO') || line.startsWith('HELO')) socket.write('250 silent.test\r\n');
        else if (line.startsWith('DATA')) {
          inData = true;
          socket.write('354 go ahead\r\n');
          return;
        } else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get received() {
      return state.received;
    },
    close: () =>
      new Promise((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

it('without SENT_MAILBOX_URL, resends, with the same Message-ID, a mail the server accepted while its worker died before recording SENT', async () => {
  const messageId = await recordedMessage();
  const before = await resendsCounted();
  await sendAndDieAfterAcceptance(messageId);

  // Temporal's retry on another worker: it waits out the dead attempt's lease, then sends again
  // (the copy in the Sent mailbox is not looked for: these activities have no SENT_MAILBOX_URL)
  const retry = await activities.sendMessageEmail({ messageId, marketing: true });
  expect(retry).toMatchObject({ deliveryStatus: 'SENT', alreadySent: false });
  const copies = copiesOf(messageId);
  expect(copies).toHaveLength(2);
  expect(copies.map((m) => m.messageId)).toEqual([`<${messageId}@shoktiai>`, `<${messageId}@shoktiai>`]);
  // the same email; only the unsubscribe link's token is issued afresh per send (both valid)
  const withoutToken = (text: string | undefined) => text?.replace(/\/unsubscribe\/\S+/, '/unsubscribe/…');
  expect(copies[1].subject).toBe(copies[0].subject);
  expect(withoutToken(copies[1].text)).toBe(withoutToken(copies[0].text));
  expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'SENT', attempts: 2, unknown_outcome_resends: 1, send_lease_owner: null });
  expect(await resendsCounted()).toBe(before + 1);

  // recorded now: never a third copy
  expect(await activities.sendMessageEmail({ messageId, marketing: true })).toMatchObject({ alreadySent: true });
  expect(copiesOf(messageId)).toHaveLength(2);
}, 30_000);

it('resends after a connection lost with no reply to the message, and counts it; the retry is not held up by a lease', async () => {
  const silent = await startSilentAfterDataServer();
  const silentMailer = createMailer({ smtpUrl: silent.url, from: system.config.EMAIL_FROM, outboxDir: 'var/test/outbox', timeoutMs: 10_000 });
  try {
    const messageId = await recordedMessage();
    const failure = await sendMessageEmail({ config: system.config, db: system.db, mailer: silentMailer }, { messageId, marketing: true }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(sendOutcomeUnknown(failure)).toBe(true);
    expect(silent.received).toBe(1);
    const inDoubt = await messageRow(messageId);
    expect(inDoubt).toMatchObject({ delivery_status: 'PENDING', attempts: 1, unknown_outcome_resends: 0 });
    // the attempt's lease is over but still names it: the next attempt knows it may be a second copy
    expect(inDoubt.send_lease_owner).not.toBeNull();
    expect(inDoubt.error).toContain('outcome unknown');

    const retry = await sendMessageEmail({ config: system.config, db: system.db, mailer: system.mailer }, { messageId, marketing: true });
    expect(retry).toMatchObject({ deliveryStatus: 'SENT', alreadySent: false, resendAfterUnknownOutcome: true });
    expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'SENT', attempts: 2, unknown_outcome_resends: 1, error: null });
  } finally {
    silentMailer.close();
    await silent.close();
  }
});

it('counts no resend after a refusal (451) or a mail server that could not be reached: nothing was handed over', async () => {
  const messageId = await recordedMessage();
  system.smtp.failNext(1);
  await expect(activities.sendMessageEmail({ messageId, marketing: true })).rejects.toThrow(/451|temporary/);
  expect(await messageRow(messageId)).toMatchObject({ send_lease_owner: null, send_lease_until: null });

  const unreachable = createMailer({ smtpUrl: `smtp://127.0.0.1:${await freePort()}`, from: system.config.EMAIL_FROM, outboxDir: 'var/test/outbox', timeoutMs: 5000 });
  const refused = await sendMessageEmail({ config: system.config, db: system.db, mailer: unreachable }, { messageId, marketing: true }).then(
    () => undefined,
    (error: Error) => error,
  );
  unreachable.close();
  expect(sendOutcomeUnknown(refused)).toBe(false);
  expect(await messageRow(messageId)).toMatchObject({ send_lease_owner: null, send_lease_until: null });

  const sent = await sendMessageEmail({ config: system.config, db: system.db, mailer: system.mailer }, { messageId, marketing: true });
  expect(sent).toMatchObject({ alreadySent: false, resendAfterUnknownOutcome: false });
  expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'SENT', attempts: 3, unknown_outcome_resends: 0 });
  expect(copiesOf(messageId)).toHaveLength(1);
});

it('tells an unknown outcome from a refusal by the error the mailer gives', () => {
  expect(sendOutcomeUnknown(Object.assign(new Error('451 try again later'), { responseCode: 451 }))).toBe(false);
  expect(sendOutcomeUnknown(Object.assign(new Error('550 no such user'), { responseCode: 550 }))).toBe(false);
  expect(sendOutcomeUnknown(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }))).toBe(false);
  expect(sendOutcomeUnknown(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'EDNS', originalCode: 'ENOTFOUND' }))).toBe(false);
  expect(sendOutcomeUnknown(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' }))).toBe(true);
  expect(sendOutcomeUnknown(Object.assign(new Error('Timeout'), { code: 'ETIMEDOUT' }))).toBe(true);
  expect(sendOutcomeUnknown(Object.assign(new Error('read ECONNRESET'), { code: 'ESOCKET', originalCode: 'ECONNRESET' }))).toBe(true);
});

describe('with SENT_MAILBOX_URL: the Sent mailbox is asked before an in-doubt resend', () => {
  it('finds the mail a killed worker had sent and records it SENT without sending again: one copy, counted as confirmed', async () => {
    const { activities: checked } = activitiesWithSentMailbox(createSentMailbox(system.imap!.url, { timeoutMs: 3000 }));
    const messageId = await recordedMessage();
    const [resendsBefore, confirmedBefore] = [await resendsCounted(), await confirmedCounted()];
    await sendAndDieAfterAcceptance(messageId);
    expect(system.imap!.sentMessageIds()).toContain(`<${messageId}@shoktiai>`);

    // Temporal's retry on another worker: it waits out the dead attempt's lease, then asks Sent
    const retry = await checked.sendMessageEmail({ messageId, marketing: true });
    expect(retry).toEqual({ deliveryStatus: 'SENT', providerMessageId: `<${messageId}@shoktiai>`, alreadySent: false });
    expect(copiesOf(messageId)).toHaveLength(1);
    expect(await messageRow(messageId)).toMatchObject({
      delivery_status: 'SENT',
      provider_message_id: `<${messageId}@shoktiai>`,
      attempts: 2,
      unknown_outcome_resends: 0,
      unknown_outcome_confirmed: 1,
      send_lease_owner: null,
      send_lease_until: null,
    });
    expect(await confirmedCounted()).toBe(confirmedBefore + 1);
    expect(await resendsCounted()).toBe(resendsBefore);

    expect(await checked.sendMessageEmail({ messageId, marketing: true })).toMatchObject({ alreadySent: true });
    expect(copiesOf(messageId)).toHaveLength(1);
  }, 30_000);

  it('resends once, counted, when the connection was lost after the final dot and the server had not accepted: nothing in Sent', async () => {
    const { activities: checked } = activitiesWithSentMailbox(createSentMailbox(system.imap!.url, { timeoutMs: 3000 }));
    const silent = await startSilentAfterDataServer();
    const silentMailer = createMailer({ smtpUrl: silent.url, from: system.config.EMAIL_FROM, outboxDir: 'var/test/outbox', timeoutMs: 10_000 });
    try {
      const messageId = await recordedMessage();
      const [resendsBefore, confirmedBefore] = [await resendsCounted(), await confirmedCounted()];
      const failure = await sendMessageEmail({ config: system.config, db: system.db, mailer: silentMailer }, { messageId, marketing: true }).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(sendOutcomeUnknown(failure)).toBe(true);
      expect(silent.received).toBe(1);
      expect(system.imap!.sentMessageIds()).not.toContain(`<${messageId}@shoktiai>`);

      expect(await checked.sendMessageEmail({ messageId, marketing: true })).toMatchObject({ deliveryStatus: 'SENT', alreadySent: false });
      expect(copiesOf(messageId)).toHaveLength(1);
      expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'SENT', attempts: 2, unknown_outcome_resends: 1, unknown_outcome_confirmed: 0, error: null });
      expect(await resendsCounted()).toBe(resendsBefore + 1);
      expect(await confirmedCounted()).toBe(confirmedBefore);
    } finally {
      silentMailer.close();
      await silent.close();
    }
  });

  it('resends, logging why, when the Sent mailbox cannot be reached: the email is never held back or lost for IMAP', async () => {
    const unreachable = createSentMailbox(`imap://bot:pw@127.0.0.1:${await freePort()}/${encodeURIComponent('[Gmail]/Sent Mail')}`, { timeoutMs: 3000 });
    const { activities: checked, lines } = activitiesWithSentMailbox(unreachable);
    const unavailableBefore = (await emailSentMailboxUnavailable.get()).values.find((v) => v.labels.problem === 'unreachable')?.value ?? 0;
    const messageId = await recordedMessage();
    await sendAndDieAfterAcceptance(messageId);

    expect(await checked.sendMessageEmail({ messageId, marketing: true })).toMatchObject({ deliveryStatus: 'SENT', alreadySent: false });
    expect(copiesOf(messageId)).toHaveLength(2);
    expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'SENT', attempts: 2, unknown_outcome_resends: 1, unknown_outcome_confirmed: 0 });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, messageId, problem: 'unreachable', msg: expect.stringContaining('Sent mailbox could not be asked'), sentMailbox: expect.not.stringContaining(':pw@') }),
    );
    expect((await emailSentMailboxUnavailable.get()).values.find((v) => v.labels.problem === 'unreachable')?.value).toBe(unavailableBefore + 1);
  }, 30_000);
});

it('does not send from an attempt that lost its lease while the Sent mailbox kept it waiting: the attempt that took over sends, once', async () => {
  // an IMAP server that accepts the connection and never answers, asked with a limit past the lease
  const sockets = new Set<Socket>();
  const mute: Server = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
  const silent = await startSilentAfterDataServer();
  const silentMailer = createMailer({ smtpUrl: silent.url, from: system.config.EMAIL_FROM, outboxDir: 'var/test/outbox', timeoutMs: 10_000 });
  try {
    const messageId = await recordedMessage();
    await sendMessageEmail({ config: system.config, db: system.db, mailer: silentMailer }, { messageId, marketing: true }).catch(() => undefined);
    expect((await messageRow(messageId)).send_lease_owner).not.toBeNull();

    // attempt A, which Temporal has already given up on (no renewals), waits on the mute mailbox
    const slowMailbox = createSentMailbox(`imap://bot:pw@127.0.0.1:${(mute.address() as AddressInfo).port}/INBOX`, { timeoutMs: 12_000 });
    const cancelled = AbortSignal.abort(new Error('heartbeat timeout'));
    const attemptA = sendMessageEmail({ config: system.config, db: system.db, mailer: system.mailer, sentMailbox: slowMailbox }, { messageId, marketing: true }, { heartbeat: () => undefined, cancelled }).then(
      () => undefined,
      (error: Error) => error,
    );
    // attempt B takes the lapsed lease over and resends
    const attemptB = await sendMessageEmail({ config: system.config, db: system.db, mailer: system.mailer }, { messageId, marketing: true });
    expect(attemptB).toMatchObject({ deliveryStatus: 'SENT', alreadySent: false, resendAfterUnknownOutcome: true });
    expect((await attemptA)?.message).toMatch(/send lease lost while asking the Sent mailbox/);
    expect(copiesOf(messageId)).toHaveLength(1);
    expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'SENT', attempts: 3, unknown_outcome_resends: 1, unknown_outcome_confirmed: 0 });
  } finally {
    silentMailer.close();
    await silent.close();
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => mute.close(resolve));
  }
}, 40_000);
