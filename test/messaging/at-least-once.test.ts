import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createMessagingActivities } from '../../src/activities/messaging';
import { createMailer, type Mailer } from '../../src/email/mailer';
import { createLogger } from '../../src/lib/logger';
import { emailUnknownOutcomeResends } from '../../src/lib/metrics';
import { sendMessageEmail, sendOutcomeUnknown } from '../../src/messaging/delivery';
import { freePort } from '../../src/temporal/dev-server';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { activeTemplateId, createUser, recordInput } from './fixtures';

/**
 * The decision (README, runbook "After a crash mid-send"): email is at least once at the SMTP
 * boundary. SMTP has no idempotency key and no way to ask whether a mail was accepted, so an
 * attempt that ends without knowing — its worker killed between the server's 250 and SENT
 * recorded, or the connection lost after the final dot with no reply — is followed by a resend
 * with the same Message-ID, counted on the row; a refusal or a connection never made is not.
 */
let system: TestSystem;
let activities: ReturnType<typeof createMessagingActivities>;
let templateId: string;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  activities = createMessagingActivities({ config: system.config, db: system.db, mailer: system.mailer, logger: createLogger('silent'), openai: null });
  templateId = await activeTemplateId(system.db, 'bn');
}, 120_000);
afterAll(async () => {
  await system.stop();
});

const messageRow = (id: string) => system.db.selectFrom('ai_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const copiesOf = (messageId: string) => system.smtp.messages.filter((m) => m.messageId === `<${messageId}@shoktiai>`);
const resendsCounted = async () => (await emailUnknownOutcomeResends.get()).values.reduce((sum, v) => sum + v.value, 0);

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

it('resends, with the same Message-ID, a mail the server accepted while its worker died before recording SENT', async () => {
  const messageId = await recordedMessage();
  const before = await resendsCounted();
  // the worker is killed right after the server's 250: nothing after the send runs, the lease is not renewed
  const killed = new AbortController();
  const dying: Mailer = {
    ...system.mailer,
    send: async (mail) => {
      await system.mailer.send(mail);
      killed.abort(new Error('worker SIGKILLed'));
      return new Promise<never>(() => undefined);
    },
  };
  void sendMessageEmail({ config: system.config, db: system.db, mailer: dying }, { messageId, marketing: true }, { heartbeat: () => undefined, cancelled: killed.signal });
  await system.smtp.waitForMessages(system.smtp.messages.length + 1);
  expect(copiesOf(messageId)).toHaveLength(1);
  expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'PENDING', unknown_outcome_resends: 0 });

  // Temporal's retry on another worker: it waits out the dead attempt's lease, then sends again
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
