import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import type { ParsedMail } from 'mailparser';
import { recordHistory } from '../helpers/history-files';
import { getJson, postJson } from '../helpers/http';
import { startOpenAiServer, type TestOpenAiServer } from '../helpers/openai-server';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { encryptedDataConverter, payloadKeys } from '../../src/temporal/codec/data-converter';
import { EncryptionCodec } from '../../src/temporal/codec/encryption-codec';
import { decryptedHistory } from '../helpers/history-codec';
import {
  API_KEY,
  bengali,
  createCustomer,
  createService,
  customerToken,
  linkPath,
  messagesOf,
  runSegment,
  smartEngageEnv,
  tokenOf,
  waitForJob,
} from './fixtures';

let system: TestSystem;
let llm: TestOpenAiServer;
beforeAll(async () => {
  llm = await startOpenAiServer();
  system = await startTestSystem({ env: smartEngageEnv(llm.baseUrl) });
});
afterAll(async () => {
  await system?.stop();
  await llm?.close();
});

const mailTo = (mails: ParsedMail[], email: string) => mails.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text.includes(email)));
const hrefs = (mail: ParsedMail) => [...String(mail.html || '').matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));

describe('SmartEngage end to end', () => {
  it('reminds eligible customers once each, follows clicks, bookings, replies and silence, and reports the funnel', async () => {
    const { db } = system;
    const serviceId = await createService(db);
    const clicker = await createCustomer(db, { serviceId, name: 'Karim Hossain' });
    const replier = await createCustomer(db, { serviceId, name: 'Sarah Ahmed', locale: 'en' });
    const silent = await createCustomer(db, { serviceId, name: 'Nusrat Jahan' });
    const noConsent = await createCustomer(db, { serviceId, consent: {} });
    const optedOut = await createCustomer(db, { serviceId, consent: { marketing: false } });
    const bookedRecently = await createCustomer(db, { serviceId, lastBookingDaysAgo: 5 });
    const contactedToday = await createCustomer(db, { serviceId });
    await db
      .insertInto('ai_messages')
      .values({ user_id: contactedToday.id, role: 'CUSTOMER', agent_type: 'smartengage', channel: 'EMAIL', message_type: 'REMINDER', message_text: 'earlier', safety_checks: '{}', created_at: new Date(Date.now() - 2 * 3600_000) })
      .execute();

    const started = await runSegment(system, {}, { 'x-correlation-id': 'flow-corr-1' });
    expect(started.status).toBe(202);
    expect(started.headers.get('x-correlation-id')).toBe('flow-corr-1');
    expect(started.body).toEqual(expect.objectContaining({ job_id: expect.any(String), segment_id: expect.stringMatching(/^seg_/), estimated_customers: 3 }));
    const jobId = started.body.job_id;

    const job = await waitForJob(system, jobId);
    expect(job).toEqual(
      expect.objectContaining({ status: 'COMPLETED', correlation_id: 'flow-corr-1', counts: expect.objectContaining({ eligible: 3, sent: 3, failed: 0, skipped: 0 }) }),
    );
    const mails = await system.smtp.waitForMessages(3);
    expect(mails).toHaveLength(3);
    for (const nobody of [noConsent, optedOut, bookedRecently, contactedToday]) expect(mailTo(mails, nobody.email)).toHaveLength(0);

    // Bengali by default, English on request; one mail each, with a tracked link
    const [clickerMail] = mailTo(mails, clicker.email);
    expect(mailTo(mails, clicker.email)).toHaveLength(1);
    expect(clickerMail.subject).toMatch(bengali);
    expect(clickerMail.text).toMatch(bengali);
    const [replierMail] = mailTo(mails, replier.email);
    expect(replierMail.text).toMatch(/Book again/);

    const [message] = await messagesOf(db, clicker.id);
    expect(message).toEqual(
      expect.objectContaining({
        agent_type: 'smartengage',
        channel: 'EMAIL',
        message_type: 'REMINDER',
        locale: 'bn',
        model: 'gpt-4o-mini',
        prompt_version: 1,
        correlation_id: 'flow-corr-1',
        campaign_id: jobId,
        delivery_status: 'SENT',
        workflow_id: expect.stringMatching(new RegExp(`^reengage-${clicker.id}-\\d{4}-\\d{2}-\\d{2}$`)),
      }),
    );
    expect(message.safety_checks).toEqual(expect.objectContaining({ safe: true, checks: expect.any(Array) }));
    expect(message.deep_link).toMatch(/\/l\/[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(hrefs(clickerMail)).toContain(message.deep_link);

    // the Temporal UI can find the run by customer and campaign
    const description = await system.client.workflow.getHandle(message.workflow_id!).describe();
    const attrs = description.typedSearchAttributes;
    expect(attrs.get({ name: 'CustomerId', type: 'KEYWORD' } as never)).toBe(clicker.id);
    expect(attrs.get({ name: 'CampaignId', type: 'KEYWORD' } as never)).toBe(jobId);
    expect(attrs.get({ name: 'AgentType', type: 'KEYWORD' } as never)).toBe('smartengage');

    // click: 302 to the booking page, click recorded, CLICKED via the workflow
    const click = await fetch(`${system.baseUrl}${linkPath(message.deep_link!)}`, { redirect: 'manual' });
    expect(click.status).toBe(302);
    const landing = new URL(click.headers.get('location')!);
    expect(landing.origin + landing.pathname).toBe('https://app.example.test/book');
    expect(landing.searchParams.get('service')).toBe(serviceId);
    expect(landing.searchParams.get('ref')).toBe(message.id);
    const link = await db.selectFrom('deep_links').selectAll().where('message_id', '=', message.id).executeTakeFirstOrThrow();
    expect(link.click_count).toBe(1);
    expect(link.first_clicked_at).toBeInstanceOf(Date);
    await eventually(async () => (await messagesOf(db, clicker.id))[0].user_response === 'CLICKED');

    // booking with the link's token: attributed, and BOOKED outranks CLICKED
    const booking = await postJson(
      `${system.baseUrl}/bookings`,
      { service_id: serviceId, scheduled_at: new Date(Date.now() + 86_400_000).toISOString(), deep_link_token: tokenOf(message.deep_link!) },
      { authorization: `Bearer ${await customerToken(system, clicker)}` },
    );
    expect(booking.status).toBe(201);
    expect(booking.body).toEqual(expect.objectContaining({ status: 'PENDING', source_message_id: message.id, customer_id: clicker.id }));
    await eventually(async () => (await messagesOf(db, clicker.id))[0].user_response === 'BOOKED');

    // reply by the recipient
    const [replierMessage] = await messagesOf(db, replier.id);
    const replierAuth = { authorization: `Bearer ${await customerToken(system, replier)}` };
    const own = await getJson(`${system.baseUrl}/messages/${replierMessage.id}`, replierAuth);
    expect(own.status).toBe(200);
    expect(own.body.operator).toBeUndefined();
    const notYours = await getJson(`${system.baseUrl}/messages/${message.id}`, replierAuth);
    expect(notYours.status).toBe(404);
    const reply = await postJson(`${system.baseUrl}/messages/${replierMessage.id}/reply`, { text: 'next Friday please' }, replierAuth);
    expect(reply.status).toBe(202);
    await eventually(async () => (await messagesOf(db, replier.id))[0].user_response === 'REPLIED');

    // silence for the attribution window (3 s in tests)
    await eventually(async () => (await messagesOf(db, silent.id))[0].user_response === 'IGNORED', 20_000);

    const funnel = await getJson(`${system.baseUrl}/internal/analytics/smartengage?campaign_id=${jobId}`, API_KEY);
    expect(funnel.status).toBe(200);
    expect(funnel.body.total.counts).toEqual(expect.objectContaining({ eligible: 3, sent: 3, clicked: 2, booked: 1 }));
    expect(funnel.body.by_campaign).toEqual([expect.objectContaining({ campaign_id: jobId })]);
    expect(funnel.body.by_prompt_version).toEqual([expect.objectContaining({ prompt_version: 1, counts: expect.objectContaining({ sent: 3 }) })]);
    expect(funnel.body.total.rates.booked_of_sent).toBeCloseTo(1 / 3, 3);

    const metrics = await (await fetch(`${system.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/shoktiai_smartengage_deep_link_clicks_total\{outcome="redirected"\} [1-9]/);
    expect(metrics).toMatch(/shoktiai_smartengage_campaigns_started_total\{trigger="api"\} [1-9]/);
    expect(metrics).toMatch(/shoktiai_messages_sent_total\{[^}]*agent="smartengage"[^}]*\} [1-9]/);

    const finalJob = (await getJson(`${system.baseUrl}/internal/ai/smartengage/jobs/${jobId}`, API_KEY)).body;
    expect(finalJob.responses).toEqual(expect.objectContaining({ BOOKED: 1, REPLIED: 1, IGNORED: 1 }));

    // determinism: the recorded histories replay against today's workflow code
    const clickerRun = system.client.workflow.getHandle(message.workflow_id!);
    await clickerRun.result();
    const histories = [
      { workflowId: message.workflow_id!, history: await clickerRun.fetchHistory() },
      { workflowId: `campaign-${jobId}`, history: await system.client.workflow.getHandle(`campaign-${jobId}`).fetchHistory() },
    ];
    const replay = await Worker.runReplayHistories({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, dataConverter: encryptedDataConverter(system.config) }, histories);
    for await (const result of replay) expect(result.error).toBeUndefined();
    // saved decrypted: the fixtures must replay on installations with other payload keys
    const codec = new EncryptionCodec(payloadKeys(system.config));
    // new names for runs with the merged database steps (issue 16): the files recorded before
    // (reengagement-clicked-booked, campaign-three-customers) stay as they were, for replay
    recordHistory(join(__dirname, 'histories', 'reengagement-merged-steps-clicked-booked.binpb'), await decryptedHistory(histories[0].history, codec));
    recordHistory(join(__dirname, 'histories', 'campaign-merged-steps-three-customers.binpb'), await decryptedHistory(histories[1].history, codec));
  });
});
