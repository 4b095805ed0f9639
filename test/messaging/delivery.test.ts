import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { simpleParser } from 'mailparser';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createMailer, type Mailer } from '../../src/email/mailer';
import { SEND_LEASE_SECONDS, sendMessageEmail } from '../../src/messaging/delivery';
import { createMessagingActivities } from '../../src/activities/messaging';
import { createLogger } from '../../src/lib/logger';
import { messagesFailed, messagesSent } from '../../src/lib/metrics';
import { createUnsubscribeToken, verifyUnsubscribeToken } from '../../src/messaging/unsubscribe-token';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { activeTemplateId, bengaliDraft, composed, createUser, recordInput } from './fixtures';

let system: TestSystem;
let activities: ReturnType<typeof createMessagingActivities>;
let templateId: string;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  activities = createMessagingActivities({ config: system.config, db: system.db, mailer: system.mailer, logger: createLogger('silent'), openai: null });
  templateId = await activeTemplateId(system.db, 'bn');
});
afterAll(async () => {
  await system.stop();
});

const counter = async (metric: typeof messagesSent | typeof messagesFailed) =>
  (await metric.get()).values.filter((v) => v.labels.agent === 'smartengage').reduce((sum, v) => sum + v.value, 0);

const messageRow = (id: string) => system.db.selectFrom('ai_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );
}

describe('recordMessage', () => {
  it('stores a PENDING message with everything that explains it', async () => {
    const user = await createUser(system.db);
    const input = recordInput(user.id, templateId);
    const { messageId } = await activities.recordMessage(input);

    const row = await messageRow(messageId);
    expect(row).toMatchObject({
      user_id: user.id,
      delivery_status: 'PENDING',
      subject: bengaliDraft.subject,
      message_text: bengaliDraft.body,
      call_to_action: bengaliDraft.call_to_action,
      model: 'gpt-4o-mini',
      prompt_version: 1,
      template_id: templateId,
      workflow_id: input.workflowId,
      correlation_id: input.correlationId,
      deep_link: input.deepLink,
      idempotency_key: input.idempotencyKey,
      attempts: 0,
    });
    expect(row.safety_checks).toEqual(input.composed.safetyChecks);
  });

  it('is idempotent: the same key twice gives one row and the same id', async () => {
    const user = await createUser(system.db);
    const input = recordInput(user.id, templateId);
    const first = await activities.recordMessage(input);
    const second = await activities.recordMessage(input);
    expect(second.messageId).toBe(first.messageId);
    const rows = await system.db.selectFrom('ai_messages').select('id').where('idempotency_key', '=', input.idempotencyKey).execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses a message whose safety check did not pass', async () => {
    const user = await createUser(system.db);
    const error = await rejection(activities.recordMessage(recordInput(user.id, templateId, { composed: composed(templateId, bengaliDraft, false) })));
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
  });

  it('refuses a text that fails the local rules even if marked safe', async () => {
    const user = await createUser(system.db);
    const unsafe = { ...bengaliDraft, body: `${bengaliDraft.body} কল করুন ০১৭১১২২৩৩৪৪` };
    const input = recordInput(user.id, templateId, { composed: composed(templateId, unsafe, true) });
    const error = await rejection(activities.recordMessage(input));
    expect((error as ApplicationFailure).type).toBe('UnsafeMessage');
    const rows = await system.db.selectFrom('ai_messages').select('id').where('idempotency_key', '=', input.idempotencyKey).execute();
    expect(rows).toHaveLength(0);
  });
});

describe('sendMessageEmail', () => {
  it('sends a Bengali marketing email once: HTML and text, deep link button, unsubscribe headers, stable Message-ID', async () => {
    const user = await createUser(system.db);
    const input = recordInput(user.id, templateId);
    const { messageId } = await activities.recordMessage(input);
    const sentBefore = await counter(messagesSent);
    const already = system.smtp.messages.length;

    const result = await activities.sendMessageEmail({ messageId, marketing: true });
    expect(result).toEqual({ deliveryStatus: 'SENT', providerMessageId: `<${messageId}@shoktiai>`, alreadySent: false });

    const [mail] = (await system.smtp.waitForMessages(already + 1)).slice(already);
    expect(mail.to).toMatchObject({ value: [{ address: user.email }] });
    expect(mail.subject).toBe(bengaliDraft.subject);
    expect(mail.messageId).toBe(`<${messageId}@shoktiai>`);
    expect(mail.text).toContain(bengaliDraft.body);
    expect(mail.text).toContain(`${bengaliDraft.call_to_action}: ${input.deepLink}`);
    expect(mail.html).toContain(bengaliDraft.body);
    expect(mail.html).toContain(`href="${input.deepLink!.replace(/&/g, '&amp;')}"`);
    expect(mail.html).toContain('lang="bn"');

    // long headers are folded onto continuation lines: unfold before comparing
    const raw = Object.fromEntries(mail.headerLines.map((h) => [h.key, h.line.replace(/\r?\n[ \t]+/g, ' ').replace(/:\s+/, ': ')]));
    // the token carries its issue time, so it is checked by what it verifies to, not by its text
    const unsubscribeUrl = /^List-Unsubscribe: <([^>]+)>$/.exec(raw['list-unsubscribe'])?.[1] ?? '';
    const base = `${system.config.PUBLIC_BASE_URL ?? `http://localhost:${system.config.PORT}`}/unsubscribe/`;
    expect(unsubscribeUrl.startsWith(base)).toBe(true);
    expect(await verifyUnsubscribeToken(system.config, unsubscribeUrl.slice(base.length))).toBe(user.id);
    expect(raw['list-unsubscribe-post']).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(mail.text).toContain(unsubscribeUrl);

    const row = await messageRow(messageId);
    expect(row).toMatchObject({ delivery_status: 'SENT', provider_message_id: `<${messageId}@shoktiai>`, attempts: 1, error: null });
    expect(row.sent_at).toBeInstanceOf(Date);
    expect(await counter(messagesSent)).toBe(sentBefore + 1);

    const again = await activities.sendMessageEmail({ messageId, marketing: true });
    expect(again).toEqual({ deliveryStatus: 'SENT', providerMessageId: `<${messageId}@shoktiai>`, alreadySent: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(system.smtp.messages).toHaveLength(already + 1);
    expect((await messageRow(messageId)).attempts).toBe(1);
  });

  it('sends service mail (coaching) without unsubscribe headers, in English', async () => {
    const user = await createUser(system.db, { locale: 'en' });
    const enTemplate = await activeTemplateId(system.db, 'en');
    const draft = { subject: 'A quick tip after your last job', body: 'Thank you for your work today, Rahim.', call_to_action: 'Got it' };
    const input = recordInput(user.id, enTemplate, { locale: 'en', agent: 'coachnova', messageType: 'COACHING', role: 'WORKER', deepLink: null, composed: composed(enTemplate, draft) });
    const { messageId } = await activities.recordMessage(input);
    const already = system.smtp.messages.length;
    await activities.sendMessageEmail({ messageId, marketing: false });

    const [mail] = (await system.smtp.waitForMessages(already + 1)).slice(already);
    expect(mail.headerLines.map((h) => h.key)).not.toContain('list-unsubscribe');
    expect(mail.text).toContain('Thank you for your work today, Rahim.');
    expect(mail.text).not.toContain('/unsubscribe/');
    expect(mail.html).toContain('lang="en"');
  });

  it('lets an SMTP 451 propagate, records the error and the attempt, and succeeds on the retry without a duplicate', async () => {
    const user = await createUser(system.db);
    const { messageId } = await activities.recordMessage(recordInput(user.id, templateId));
    const already = system.smtp.messages.length;
    system.smtp.failNext(1);

    const error = await rejection(activities.sendMessageEmail({ messageId, marketing: true }));
    expect(error).not.toBeInstanceOf(ApplicationFailure); // a plain error: Temporal retries it
    expect(error.message).toMatch(/451|temporary/);
    const failed = await messageRow(messageId);
    expect(failed).toMatchObject({ delivery_status: 'PENDING', attempts: 1 });
    expect(failed.error).toMatch(/451|temporary/);

    await activities.sendMessageEmail({ messageId, marketing: true });
    await system.smtp.waitForMessages(already + 1);
    expect(system.smtp.messages).toHaveLength(already + 1);
    expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'SENT', attempts: 2, error: null });
  });

  it('treats a permanent SMTP rejection (5xx) as non-retryable', async () => {
    // the SMTP test server only simulates 451s; a mailer that answers 550 stands in for a relay refusing the mailbox
    const refusing = { kind: 'smtp' as const, close() {}, async send(): Promise<never> {
      throw Object.assign(new Error('550 5.1.1 mailbox unavailable'), { responseCode: 550 });
    } };
    const strict = createMessagingActivities({ config: system.config, db: system.db, mailer: refusing, logger: createLogger('silent'), openai: null });
    const user = await createUser(system.db);
    const { messageId } = await strict.recordMessage(recordInput(user.id, templateId));
    const error = (await rejection(strict.sendMessageEmail({ messageId, marketing: true }))) as ApplicationFailure;
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'SmtpPermanentFailure', nonRetryable: true });
    expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'PENDING', attempts: 1, send_lease_until: null, error: expect.stringContaining('550') });
  });

  it('does not send marketing mail to someone who unsubscribed after it was written', async () => {
    const user = await createUser(system.db, { consent: { marketing: true } });
    const { messageId } = await activities.recordMessage(recordInput(user.id, templateId));
    await system.db.updateTable('users').set({ consent: JSON.stringify({ marketing: false }) }).where('id', '=', user.id).execute();
    const already = system.smtp.messages.length;

    const error = (await rejection(activities.sendMessageEmail({ messageId, marketing: true }))) as ApplicationFailure;
    expect(error).toMatchObject({ type: 'MarketingConsentRevoked', nonRetryable: true });
    expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'PENDING', attempts: 0, error: 'marketing consent revoked before sending' });
    // service mail (a coaching tip, a booking matter) does not depend on marketing consent
    await activities.sendMessageEmail({ messageId, marketing: false });
    await system.smtp.waitForMessages(already + 1);
  });

  it('keeps recording SENT while the database is briefly unavailable after the mail went out, so no retry mails it again', async () => {
    const user = await createUser(system.db);
    const { messageId } = await activities.recordMessage(recordInput(user.id, templateId));
    const already = system.smtp.messages.length;
    // the connection is lost right after the mail server accepted the mail (PostgreSQL restarting)
    let failUpdates = 0;
    const db = system.db.withPlugin({
      transformQuery(args) {
        if (args.node.kind === 'UpdateQueryNode' && failUpdates > 0) {
          failUpdates--;
          throw Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' });
        }
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const mailer: Mailer = {
      ...system.mailer,
      send: async (mail) => {
        const sent = await system.mailer.send(mail);
        failUpdates = 2;
        return sent;
      },
    };
    const beats: number[] = [];
    const result = await sendMessageEmail({ config: system.config, db, mailer }, { messageId, marketing: true }, { heartbeat: () => beats.push(Date.now()), cancelled: new AbortController().signal });
    expect(result).toMatchObject({ deliveryStatus: 'SENT', alreadySent: false });
    expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'SENT', attempts: 1 });
    expect(beats.length).toBeGreaterThanOrEqual(2);
    await system.smtp.waitForMessages(already + 1);
    expect(system.smtp.messages).toHaveLength(already + 1);
  });

  it('sends once when two attempts overlap: the second waits for the first and finds the message sent', async () => {
    const user = await createUser(system.db);
    const { messageId } = await activities.recordMessage(recordInput(user.id, templateId));
    const already = system.smtp.messages.length;
    const outcomes = await Promise.all([
      activities.sendMessageEmail({ messageId, marketing: true }),
      activities.sendMessageEmail({ messageId, marketing: true }),
    ]);
    expect(outcomes.filter((o) => !o.alreadySent)).toHaveLength(1);
    expect(outcomes.filter((o) => o.alreadySent)).toHaveLength(1);

    await system.smtp.waitForMessages(already + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(system.smtp.messages).toHaveLength(already + 1);
    expect(await activities.sendMessageEmail({ messageId, marketing: true })).toMatchObject({ alreadySent: true });
  });

  it('takes over the lease of an attempt that died mid-send (SMTP stalled, worker gone) without waiting that attempt out, sending once', async () => {
    // a mail server that accepts the connection and never answers: the first attempt hangs in it
    const stalled: Socket[] = [];
    const stalling = createServer((socket) => stalled.push(socket));
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    const stallingMailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${(stalling.address() as AddressInfo).port}`, from: system.config.EMAIL_FROM, outboxDir: 'var/test/outbox', timeoutMs: 60_000 });
    const deps = { config: system.config, db: system.db };
    const user = await createUser(system.db);
    const { messageId } = await activities.recordMessage(recordInput(user.id, templateId));
    const already = system.smtp.messages.length;

    const dead = new AbortController();
    const first = sendMessageEmail({ ...deps, mailer: stallingMailer }, { messageId, marketing: true }, { heartbeat: () => undefined, cancelled: dead.signal });
    first.catch(() => undefined);
    await eventually(async () => (await messageRow(messageId)).send_lease_owner !== null, 10_000, 50);
    // the worker running the first attempt is gone: nothing renews its lease any more
    dead.abort(new Error('worker killed'));
    let firstEnded = false;
    first.finally(() => (firstEnded = true)).catch(() => undefined);
    const heartbeats: number[] = [];
    const retry = await sendMessageEmail({ ...deps, mailer: system.mailer }, { messageId, marketing: true }, { heartbeat: () => heartbeats.push(Date.now()), cancelled: new AbortController().signal });

    // it took the lease over from the dead attempt, still stuck in the stalled server (its socket
    // timeout is a minute), instead of waiting that attempt out; the lease it took still named the
    // dead attempt, so its send is counted as a possible second copy
    expect(firstEnded).toBe(false);
    expect(retry).toMatchObject({ alreadySent: false, deliveryStatus: 'SENT', resendAfterUnknownOutcome: true });
    // while waiting for the lease to lapse it told Temporal it is alive
    expect(heartbeats.length).toBeGreaterThan(0);
    await system.smtp.waitForMessages(already + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(system.smtp.messages).toHaveLength(already + 1);
    expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'SENT', attempts: 2, unknown_outcome_resends: 1, send_lease_until: null, send_lease_owner: null });

    // the dead attempt failing at last changes nothing: it no longer holds the lease
    stallingMailer.close();
    stalled.forEach((socket) => socket.destroy());
    await expect(first).rejects.toThrow();
    expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'SENT', attempts: 2, error: null, send_lease_owner: null });
    await new Promise((resolve) => stalling.close(resolve));
  }, 30_000);

  it('keeps a live attempt\'s lease renewed, so a retry waits for it instead of sending a second copy', async () => {
    const slowMailer: Mailer = {
      kind: 'smtp',
      // a slow mail server: longer than the lease, so only renewal keeps it
      send: async (mail) => {
        await new Promise((r) => setTimeout(r, (SEND_LEASE_SECONDS + 2) * 1000));
        return system.mailer.send(mail);
      },
      close: () => undefined,
    };
    const deps = { config: system.config, db: system.db };
    const user = await createUser(system.db);
    const { messageId } = await activities.recordMessage(recordInput(user.id, templateId));
    const already = system.smtp.messages.length;
    const first = sendMessageEmail({ ...deps, mailer: slowMailer }, { messageId, marketing: true }, { heartbeat: () => undefined, cancelled: new AbortController().signal });
    await eventually(async () => (await messageRow(messageId)).send_lease_owner !== null, 10_000, 50);
    const second = await sendMessageEmail({ ...deps, mailer: system.mailer }, { messageId, marketing: true });
    expect(second.alreadySent).toBe(true);
    expect((await first).alreadySent).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(system.smtp.messages).toHaveLength(already + 1);
  }, 30_000);

  it('writes to the outbox when no SMTP server is configured, as SENT', async () => {
    const outboxDir = mkdtempSync(join(tmpdir(), 'shoktiai-outbox-'));
    const outbox = createMailer({ from: system.config.EMAIL_FROM, outboxDir });
    const viaOutbox = createMessagingActivities({ config: system.config, db: system.db, mailer: outbox, logger: createLogger('silent'), openai: null });
    const user = await createUser(system.db);
    const { messageId } = await viaOutbox.recordMessage(recordInput(user.id, templateId));
    const result = await viaOutbox.sendMessageEmail({ messageId, marketing: true });
    outbox.close();

    expect(result).toMatchObject({ deliveryStatus: 'SENT', alreadySent: false });
    const file = join(outboxDir, `${messageId}@shoktiai.eml`);
    const mail = await simpleParser(readFileSync(file));
    expect(mail.text).toContain(bengaliDraft.body);
    expect(mail.headerLines.map((h) => h.key)).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']));
    rmSync(outboxDir, { recursive: true, force: true });
  });

  it('marks a message FAILED after the last retry, counting it once, never over a SENT one', async () => {
    const user = await createUser(system.db);
    const { messageId } = await activities.recordMessage(recordInput(user.id, templateId));
    const before = await counter(messagesFailed);
    await activities.markMessageFailed({ messageId, error: 'SMTP 451 after 5 attempts' });
    await activities.markMessageFailed({ messageId, error: 'SMTP 451 after 5 attempts' });
    expect(await messageRow(messageId)).toMatchObject({ delivery_status: 'FAILED', error: 'SMTP 451 after 5 attempts' });
    expect(await counter(messagesFailed)).toBe(before + 1);

    const sent = await activities.recordMessage(recordInput(user.id, templateId));
    await activities.sendMessageEmail({ messageId: sent.messageId, marketing: false });
    await activities.markMessageFailed({ messageId: sent.messageId, error: 'late' });
    expect((await messageRow(sent.messageId)).delivery_status).toBe('SENT');
  });
});

describe('recordMessageResponse', () => {
  it('never downgrades: BOOKED > REPLIED > CLICKED/ACKNOWLEDGED > IGNORED', async () => {
    const user = await createUser(system.db);
    const { messageId } = await activities.recordMessage(recordInput(user.id, templateId));
    const at = (minute: number) => `2026-11-27T18:${String(minute).padStart(2, '0')}:00.000Z`;
    const steps: Array<[Parameters<typeof activities.recordMessageResponse>[0]['response'], boolean, string]> = [
      ['CLICKED', true, 'CLICKED'],
      ['IGNORED', false, 'CLICKED'],
      ['ACKNOWLEDGED', false, 'CLICKED'],
      ['REPLIED', true, 'REPLIED'],
      ['CLICKED', false, 'REPLIED'],
      ['BOOKED', true, 'BOOKED'],
      ['REPLIED', false, 'BOOKED'],
      ['BOOKED', false, 'BOOKED'],
    ];
    for (const [index, [response, applied, stored]] of steps.entries()) {
      const result = await activities.recordMessageResponse({ messageId, response, at: at(index) } as never);
      expect({ response, ...result }).toEqual({ response, applied });
      expect((await messageRow(messageId)).user_response).toBe(stored);
    }
    expect((await messageRow(messageId)).responded_at).toEqual(new Date(at(5)));
  });

  it('records IGNORED only when there is no response yet', async () => {
    const user = await createUser(system.db);
    const { messageId } = await activities.recordMessage(recordInput(user.id, templateId));
    expect(await activities.recordMessageResponse({ messageId, response: 'IGNORED', at: new Date().toISOString() })).toEqual({ applied: true });
    expect(await activities.recordMessageResponse({ messageId, response: 'IGNORED', at: new Date().toISOString() })).toEqual({ applied: false });
    // a late click still counts: silence is the weakest answer
    expect(await activities.recordMessageResponse({ messageId, response: 'CLICKED', at: new Date().toISOString() })).toEqual({ applied: true });
  });

  it('ignores unknown message ids', async () => {
    expect(await activities.recordMessageResponse({ messageId: 'not-a-uuid', response: 'CLICKED', at: new Date().toISOString() })).toEqual({ applied: false });
  });
});

describe('unsubscribe', () => {
  const urlFor = async (userId: string) => `${system.baseUrl}/unsubscribe/${await createUnsubscribeToken(system.config, userId)}`;
  const consentOf = async (userId: string) => (await system.db.selectFrom('users').select('consent').where('id', '=', userId).executeTakeFirstOrThrow()).consent;

  it('shows a bilingual confirm page on GET without unsubscribing', async () => {
    const user = await createUser(system.db, { consent: { marketing: true } });
    const res = await fetch(await urlFor(user.id));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('আনসাবস্ক্রাইব');
    expect(html).toContain('Unsubscribe');
    expect(html).toContain('<form method="post"');
    expect(await consentOf(user.id)).toEqual({ marketing: true });
  });

  it('revokes marketing consent on the one-click POST, keeping other consent', async () => {
    const user = await createUser(system.db, { consent: { marketing: true, service_updates: true } });
    const res = await fetch(await urlFor(user.id), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ unsubscribed: true });
    expect(await consentOf(user.id)).toEqual({ marketing: false, service_updates: true });

    const again = await fetch(await urlFor(user.id), { method: 'POST' });
    expect(again.status).toBe(200);
  });

  it('answers the confirm button with a page', async () => {
    const user = await createUser(system.db);
    const res = await fetch(await urlFor(user.id), { method: 'POST', headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You have been unsubscribed');
    expect((await consentOf(user.id)).marketing).toBe(false);
  });

  it('turns away a forged token with a friendly 400, changing nothing', async () => {
    const user = await createUser(system.db);
    const forged = `${system.baseUrl}/unsubscribe/${await createUnsubscribeToken({ ...system.config, DEEPLINK_SECRET: 'another-secret-entirely-0123456789' }, user.id)}`;
    const json = await fetch(forged, { method: 'POST', headers: { 'x-correlation-id': 'unsub-forged-1' } });
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ error: { code: 'bad_request', message: expect.any(String), details: null }, correlation_id: 'unsub-forged-1' });

    const page = await fetch(`${system.baseUrl}/unsubscribe/garbage`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('Invalid link');
    expect((await consentOf(user.id)).marketing).toBe(true);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${system.baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/unsubscribe/{token}'] ?? {}).sort()).toEqual(['get', 'post']);
  });

  it('makes the sent email’s own unsubscribe link work end to end', async () => {
    const user = await createUser(system.db);
    const { messageId } = await activities.recordMessage(recordInput(user.id, templateId));
    const already = system.smtp.messages.length;
    await activities.sendMessageEmail({ messageId, marketing: true });
    const [mail] = (await system.smtp.waitForMessages(already + 1)).slice(already);
    const header = mail.headerLines.find((h) => h.key === 'list-unsubscribe')!.line.replace(/\r?\n[ \t]+/g, ' ');
    const path = new URL(header.match(/<([^>]+)>/)![1]).pathname;

    const res = await fetch(`${system.baseUrl}${path}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(200);
    expect((await consentOf(user.id)).marketing).toBe(false);
  });
});
