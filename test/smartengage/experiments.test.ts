import type { ParsedMail } from 'mailparser';
import { assignArm } from '../../src/smartengage/arm-assignment';
import { resolveCriteria } from '../../src/smartengage/criteria';
import { campaignSettings } from '../../src/smartengage/core/settings';
import { createSegmentationActivities } from '../../src/activities/segmentation';
import type { ActivityDeps } from '../../src/activities/deps';
import type { ExperimentPlan } from '../../src/smartengage/types';
import { newcombeInterval, twoProportionZTest } from '../../src/smartengage/uplift';
import { getJson, postJson } from '../helpers/http';
import { eventually } from '../helpers/wait';
import { startOpenAiServer, type TestOpenAiServer } from '../helpers/openai-server';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { API_KEY, createCustomer, createService, customerToken, messagesOf, runSegment, smartEngageEnv, tokenOf, waitForJob } from './fixtures';

let system: TestSystem;
let llm: TestOpenAiServer;
beforeAll(async () => {
  llm = await startOpenAiServer();
  system = await startTestSystem({ env: smartEngageEnv(llm.baseUrl, { SE_ATTRIBUTION_WINDOW_SECONDS: '60' }) });
});
afterAll(async () => {
  await system?.stop();
  await llm?.close();
});

const mailTo = (mails: ParsedMail[], email: string) => mails.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text.includes(email)));
const timeline = (id: string, query = '') => getJson(`${system.baseUrl}/internal/ai/smartengage/customers/${id}/timeline${query}`, API_KEY);
const experimentOf = (jobId: string) => getJson(`${system.baseUrl}/internal/analytics/smartengage/experiments/${jobId}`, API_KEY);
const HOUR_MS = 3_600_000;

describe('experiments: a campaign with a holdout and two arms', () => {
  it('assigns every eligible customer once, contacts only the non-holdout arms, and explains each one', async () => {
    const { db } = system;
    const serviceId = await createService(db, { name: 'Home Cleaning' });
    const customers: Array<{ id: string; email: string }> = [];
    for (let i = 0; i < 18; i++) customers.push(await createCustomer(db, { serviceId, locale: i % 2 ? 'en' : 'bn', name: `Customer ${i}` }));
    const noConsent = await createCustomer(db, { serviceId, consent: { marketing: false } });
    llm.reset();

    const started = await runSegment(system, {
      segment_criteria: { send_time: 'personal' },
      experiment: {
        name: 'holdout vs template vs llm',
        arms: [
          { name: 'control', kind: 'holdout', weight: 1 },
          { name: 'template', kind: 'template', weight: 1, send_time: 'window' },
          { name: 'llm-v1', kind: 'llm', weight: 1, prompt_version: 1 },
        ],
      },
    });
    expect(started.status).toBe(202);
    const jobId = started.body.job_id;
    const experimentId = started.body.experiment_id;
    expect(experimentId).toEqual(expect.any(String));
    const job = await waitForJob(system, jobId);

    const armOf = new Map(customers.map((c) => [c.id, assignArm(experimentId, c.id, [{ name: 'control', weight: 1 }, { name: 'template', weight: 1 }, { name: 'llm-v1', weight: 1 }]).name]));
    const inArm = (name: string) => customers.filter((c) => armOf.get(c.id) === name);
    const [held, templated, written] = [inArm('control'), inArm('template'), inArm('llm-v1')];
    expect(held.length).toBeGreaterThan(0);
    expect(templated.length).toBeGreaterThan(0);
    expect(written.length).toBeGreaterThan(0);

    // the stored assignment is the hash's, one row per customer
    const stored = await db
      .selectFrom('experiment_assignments as a')
      .innerJoin('experiment_arms as arm', 'arm.id', 'a.arm_id')
      .select(['a.customer_id', 'arm.name'])
      .where('a.experiment_id', '=', experimentId)
      .execute();
    expect(stored).toHaveLength(customers.length);
    for (const row of stored) expect(row.name).toBe(armOf.get(row.customer_id));

    expect(job.counts).toEqual(expect.objectContaining({ eligible: 18, sent: templated.length + written.length, skipped: held.length, failed: 0 }));
    expect(job.counts.skipped_reasons).toEqual({ holdout: held.length });

    // holdout: never emailed, no message, no claim on the frequency cap
    const mails = await system.smtp.waitForMessages(templated.length + written.length);
    for (const c of held) {
      expect(mailTo(mails, c.email)).toHaveLength(0);
      expect(await messagesOf(db, c.id)).toHaveLength(0);
    }
    const claims = await db.selectFrom('contact_claims').select('user_id').where('user_id', 'in', held.map((c) => c.id)).execute();
    expect(claims).toHaveLength(0);
    // and by the segment's own rules they are still eligible: the holdout took no slot of the cap
    const stillOpen = await timeline(held[0].id, '?explain=true');
    expect(stillOpen.body.eligibility).toEqual(expect.objectContaining({ eligible: true, failed: [] }));

    // template arm: the approved template, no LLM call; llm arm: the model with prompt version 1
    for (const c of templated) {
      const [message] = await messagesOf(db, c.id);
      expect(message).toEqual(expect.objectContaining({ model: 'template', prompt_version: 1 }));
      expect(message.safety_checks).toEqual(expect.objectContaining({ safe: true, fallback_reason: 'experiment_template_arm' }));
    }
    for (const c of written) {
      const [message] = await messagesOf(db, c.id);
      expect(message.model).not.toBe('template');
      expect(message.prompt_version).toBe(1);
    }
    expect(llm.chatRequests).toHaveLength(written.length);

    // conversions: bookings after assignment, however they were made
    const [viaLink] = await messagesOf(db, written[0].id);
    const token = await customerToken(system, written[0]);
    const booked = await postJson(
      `${system.baseUrl}/bookings`,
      { service_id: serviceId, scheduled_at: new Date(Date.now() + 48 * HOUR_MS).toISOString(), deep_link_token: tokenOf(viaLink.deep_link!) },
      { authorization: `Bearer ${token}` },
    );
    expect(booked.status).toBe(201);
    // a held-out customer books in the app, without any link: a conversion, and on their timeline
    const organic = await postJson(`${system.baseUrl}/bookings`, { customer_id: held[0].id, service_id: serviceId, scheduled_at: new Date(Date.now() + 24 * HOUR_MS).toISOString() }, API_KEY);
    expect(organic.status).toBe(201);
    // the marketplace's own systems write a booking straight to the table: it counts too
    // (18 customers in three arms: fewer than two held out happens in under 1 % of experiment ids)
    const direct = held.length < 2 ? null : await db
      .insertInto('bookings')
      .values({ customer_id: held[1].id, service_id: serviceId, status: 'CONFIRMED', scheduled_at: new Date(Date.now() + 24 * HOUR_MS), total_price: 900 })
      .returning(['id', 'customer_id'])
      .executeTakeFirstOrThrow();
    // a cancelled booking is no conversion
    await db.insertInto('bookings').values({ customer_id: templated[0].id, service_id: serviceId, status: 'CANCELLED', scheduled_at: new Date(Date.now() + 24 * HOUR_MS), total_price: 900 }).execute();

    // a held-out customer's timeline: eligible, assigned to the holdout, skipped because of it
    const heldLine = await timeline(held[0].id);
    expect(heldLine.status).toBe(200);
    expect(heldLine.body.events.map((e: any) => e.kind)).toEqual(['booked', 'skipped', 'assigned', 'eligible']);
    const [conversion, skipped, assigned, eligible] = heldLine.body.events;
    expect(conversion).toEqual(expect.objectContaining({ campaign_id: jobId, reason: 'booked_without_link', facts: expect.objectContaining({ booking_id: organic.body.id }) }));
    expect(skipped).toEqual(expect.objectContaining({ campaign_id: jobId, reason: 'holdout' }));
    expect(assigned.facts).toEqual(expect.objectContaining({ arm: 'control', kind: 'holdout', contacted: false, share: 1 / 3 }));
    expect(eligible.facts).toEqual(
      expect.objectContaining({
        days_since_last_completed_booking: 30,
        booking_cadence_days: 21,
        consent: { marketing: true },
        frequency_cap_hours: 24,
        last_contact_at: null,
        typical_service: expect.objectContaining({ service_id: serviceId, completed_bookings: 2 }),
      }),
    );

    // the booking written straight to the table is on that customer's timeline too, read from `bookings`
    if (direct) expect((await timeline(direct.customer_id)).body.events[0]).toEqual(
      expect.objectContaining({
        kind: 'booked',
        campaign_id: jobId,
        reason: 'booked_without_link',
        facts: expect.objectContaining({ booking_id: direct!.id, experiment_id: experimentId, booking_status: 'CONFIRMED', recorded_from: 'bookings' }),
      }),
    );
    // once, not again beside a booking POST /bookings recorded: the held-out customer's app booking shows once
    expect(heldLine.body.events.filter((e: any) => e.kind === 'booked')).toHaveLength(1);

    // a sent customer's timeline: why this text, at this time, and what became of it
    // silence until the (60-second: the bookings above must land inside it even on a loaded machine) attribution window closes is the last decision
    const sentLine = await eventually(async () => {
      const line = await timeline(templated[0].id);
      return line.body.events[0]?.kind === 'ignored' ? line : null;
    }, 120_000, 250);
    expect(sentLine.body.events.map((e: any) => e.kind)).toEqual(['ignored', 'sent', 'composed', 'scheduled', 'assigned', 'eligible']);
    const byKind = Object.fromEntries(sentLine.body.events.map((e: any) => [e.kind, e]));
    expect(byKind.scheduled).toEqual(expect.objectContaining({ reason: 'window', facts: expect.objectContaining({ send_time: 'window', timezone: 'Asia/Dhaka', wait_seconds: 0 }) }));
    expect(byKind.composed).toEqual(
      expect.objectContaining({ reason: 'experiment_template_arm', facts: expect.objectContaining({ model: 'template', prompt_version: 1, safety: expect.objectContaining({ safe: true }) }) }),
    );
    expect(byKind.sent.facts).toEqual(expect.objectContaining({ message_id: expect.any(String), channel: 'EMAIL' }));
    // the llm arm inherits the campaign's send_time "personal": two bookings are too few for a habit
    const llmLine = await timeline(written[0].id);
    expect(llmLine.body.events.find((e: any) => e.kind === 'scheduled')).toEqual(expect.objectContaining({ reason: 'too_few_bookings', facts: expect.objectContaining({ send_time: 'personal', past_bookings: 2 }) }));

    // not in the segment at all: the segment's own rules, evaluated for this one customer
    const outside = await timeline(noConsent.id, '?explain=true');
    expect(outside.body.events).toEqual([]);
    expect(outside.body.eligibility).toEqual(expect.objectContaining({ eligible: false, failed: ['no_consent'] }));

    // contacted nonetheless (a stand-alone run): the contact claim refuses, and its own reason is stored
    const refused = await system.client.workflow.execute('reengageCustomer', {
      taskQueue: system.taskQueue,
      workflowId: `reengage-${noConsent.id}-explain`,
      args: [{ customerId: noConsent.id, serviceId, campaignId: null, correlationId: 'explain-test', settings: campaignSettings(resolveCriteria({}, system.config), system.config).reengagement }],
    });
    expect(refused).toEqual(expect.objectContaining({ status: 'skipped', reason: 'no_consent' }));
    const refusedLine = await timeline(noConsent.id);
    expect(refusedLine.body.events.map((e: any) => [e.kind, e.reason])).toEqual([
      ['skipped', 'no_consent'],
      ['scheduled', 'window'],
    ]);

    const report = await experimentOf(jobId);
    expect(report.status).toBe(200);
    expect(report.body).toEqual(expect.objectContaining({ job_id: jobId, name: 'holdout vs template vs llm', attribution_window_seconds: 60, window_closes_at: expect.any(String) }));
    const arms = Object.fromEntries(report.body.arms.map((a: any) => [a.name, a]));
    expect(report.body.arms.map((a: any) => a.name)).toEqual(['control', 'template', 'llm-v1']);
    expect(arms.control).toEqual(expect.objectContaining({ kind: 'holdout', customers: held.length, sent: 0, clicked: 0, booked: Math.min(held.length, 2), booked_via_link: 0, uplift_vs_holdout: null }));
    expect(arms.template).toEqual(expect.objectContaining({ kind: 'template', customers: templated.length, sent: templated.length, booked: 0 }));
    expect(arms['llm-v1']).toEqual(expect.objectContaining({ kind: 'llm', prompt_version: 1, customers: written.length, sent: written.length, booked: 1, booked_via_link: 1 }));
    expect(arms['llm-v1'].booking_rate).toBeCloseTo(1 / written.length, 10);
    // a handful of customers: no uplift figure, but the reason why
    expect(arms['llm-v1'].uplift_vs_holdout).toBeNull();
    expect(arms['llm-v1'].uplift_note).toMatch(/^not enough data/);
  }, 240_000);

  it('holds a customer out once per (campaign, customer): a retried page writes no second decision, and the timeline says until when', async () => {
    const { db } = system;
    const serviceId = await createService(db, { name: 'Sofa Cleaning' });
    const customers = await Promise.all(Array.from({ length: 6 }, (_, i) => createCustomer(db, { serviceId, name: `Held ${i}`, locale: 'en' })));
    const criteria = { service_ids: [serviceId] };
    // every customer held out: the page decides everything, no reminder runs
    const started = await runSegment(system, { segment_criteria: criteria, experiment: { name: 'all held out', arms: [{ name: 'control', kind: 'holdout', weight: 1 }] } });
    expect(started.status).toBe(202);
    const jobId = started.body.job_id;
    const job = await waitForJob(system, jobId);
    expect(job.counts).toEqual(expect.objectContaining({ eligible: 6, sent: 0, skipped: 6, skipped_reasons: { holdout: 6 } }));

    // the page activity again, as a retry after a lost result (or a worker crash) would run it
    const arms = await db.selectFrom('experiment_arms').selectAll().where('experiment_id', '=', started.body.experiment_id).execute();
    const plan: ExperimentPlan = {
      experimentId: started.body.experiment_id,
      arms: arms.map((a) => ({ id: a.id, name: a.name, kind: a.kind, weight: Number(a.weight), promptVersion: a.prompt_version, sendTime: a.send_time })),
    };
    const page = createSegmentationActivities({ db, config: system.config } as unknown as ActivityDeps);
    const request = { criteria: resolveCriteria(criteria, system.config), asOf: new Date().toISOString(), after: null, limit: 100, campaignId: jobId, experiment: plan };
    const before = await db.selectFrom('experiment_assignments').select(['customer_id', 'assigned_at']).where('experiment_id', '=', plan.experimentId).execute();
    for (let i = 0; i < 2; i++) {
      const again = await page.fetchSegmentPage(request);
      expect(again.members.map((m) => m.arm?.name)).toEqual(customers.map(() => 'control'));
    }
    const after = await db.selectFrom('experiment_assignments').select(['customer_id', 'assigned_at']).where('experiment_id', '=', plan.experimentId).execute();
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after).toHaveLength(6);
    const decisions = await db.selectFrom('customer_decisions').select(['customer_id', 'kind']).where('campaign_id', '=', jobId).execute();
    expect(decisions).toHaveLength(6 * 3);
    for (const c of customers) expect(decisions.filter((d) => d.customer_id === c.id).map((d) => d.kind).sort()).toEqual(['assigned', 'eligible', 'skipped']);

    // explained: the arm, that nothing was sent or claimed, and until when the customer counts in the holdout
    const line = (await timeline(customers[0].id)).body.events;
    expect(line.map((e: any) => e.kind)).toEqual(['skipped', 'assigned', 'eligible']);
    const assignedAt = before.find((a) => a.customer_id === customers[0].id)!.assigned_at;
    expect(line[0]).toEqual(
      expect.objectContaining({
        campaign_id: jobId,
        reason: 'holdout',
        facts: expect.objectContaining({
          experiment_id: plan.experimentId,
          arm: 'control',
          holdout_decision: `${jobId}:${customers[0].id}`,
          assigned_at: assignedAt.toISOString(),
          attribution_window_closes_at: new Date(assignedAt.getTime() + system.config.SE_ATTRIBUTION_WINDOW_SECONDS * 1000).toISOString(),
        }),
      }),
    );
  });

  it('reports uplift against the holdout with the two-proportion figures (known counts)', async () => {
    const { db } = system;
    const serviceId = await createService(db);
    const holdout: string[] = [];
    const treated: string[] = [];
    for (let i = 0; i < 80; i++) holdout.push((await createCustomer(db, { serviceId, completedBookings: 0 })).id);
    for (let i = 0; i < 70; i++) treated.push((await createCustomer(db, { serviceId, completedBookings: 0 })).id);
    const campaign = await db
      .insertInto('campaigns')
      .values({ segment_id: 'seg_test', criteria: '{}', skipped_reasons: '{}', workflow_id: 'campaign-known-counts', status: 'COMPLETED' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const experiment = await db.insertInto('experiments').values({ campaign_id: campaign.id, name: 'known', attribution_window_seconds: 3600 }).returning('id').executeTakeFirstOrThrow();
    const arms = await db
      .insertInto('experiment_arms')
      .values([
        { experiment_id: experiment.id, position: 0, name: 'holdout', kind: 'holdout', weight: 1 },
        { experiment_id: experiment.id, position: 1, name: 'llm', kind: 'llm', weight: 1 },
      ])
      .returning(['id', 'name'])
      .execute();
    const armId = (name: string) => arms.find((a) => a.name === name)!.id;
    await db.insertInto('experiment_assignments').values([...holdout.map((c) => ({ experiment_id: experiment.id, customer_id: c, arm_id: armId('holdout') })), ...treated.map((c) => ({ experiment_id: experiment.id, customer_id: c, arm_id: armId('llm') }))]).execute();
    const book = async (ids: string[], createdAt?: Date) => {
      for (const id of ids) await db.insertInto('bookings').values({ customer_id: id, service_id: serviceId, status: 'PENDING', scheduled_at: new Date(), total_price: 1, ...(createdAt ? { created_at: createdAt } : {}) }).execute();
    };
    // Newcombe's example (a): 56/70 against 48/80
    await book(treated.slice(0, 56));
    await book(holdout.slice(0, 48));
    // outside the window: before the assignment, and after it closes
    await book(treated.slice(56, 60), new Date(Date.now() - 24 * HOUR_MS));
    await book(holdout.slice(48, 52), new Date(Date.now() + 2 * HOUR_MS));

    const report = await experimentOf(campaign.id);
    const [h, l] = report.body.arms;
    expect(h).toEqual(expect.objectContaining({ name: 'holdout', customers: 80, booked: 48, booking_rate: 0.6, uplift_vs_holdout: null, uplift_note: 'the holdout is the baseline' }));
    expect(l).toEqual(expect.objectContaining({ name: 'llm', customers: 70, booked: 56, booking_rate: 0.8, uplift_note: null }));
    const [low, high] = newcombeInterval({ successes: 56, n: 70 }, { successes: 48, n: 80 });
    expect(l.uplift_vs_holdout.absolute).toBeCloseTo(0.2, 10);
    expect(l.uplift_vs_holdout.relative).toBeCloseTo(1 / 3, 10);
    expect(l.uplift_vs_holdout.ci95[0]).toBeCloseTo(0.0524, 4);
    expect(l.uplift_vs_holdout.ci95).toEqual([low, high]);
    expect(l.uplift_vs_holdout.p_value).toBeCloseTo(twoProportionZTest({ successes: 56, n: 70 }, { successes: 48, n: 80 }).p_value, 12);

    expect((await experimentOf('00000000-0000-4000-8000-000000000000')).status).toBe(404);

    // who is in which arm, in keyset pages
    const first = await getJson(`${system.baseUrl}/internal/analytics/smartengage/experiments/${campaign.id}/assignments?limit=100`, API_KEY);
    expect(first.body.assignments).toHaveLength(100);
    const rest = await getJson(`${system.baseUrl}/internal/analytics/smartengage/experiments/${campaign.id}/assignments?limit=100&after=${first.body.next_after}`, API_KEY);
    expect(rest.body).toEqual(expect.objectContaining({ next_after: null }));
    const all = [...first.body.assignments, ...rest.body.assignments];
    expect(new Set(all.map((a: any) => a.customer_id)).size).toBe(150);
    expect(all.filter((a: any) => a.arm === 'holdout')).toHaveLength(80);
    expect(all[0]).toEqual(expect.objectContaining({ kind: expect.any(String), message_id: null, deep_link: null }));
  });

  it('refuses bad experiments with a clear 422', async () => {
    const bad = await runSegment(system, { experiment: { arms: [{ name: 'a', kind: 'llm', weight: 1 }, { name: 'a', kind: 'holdout', weight: 1 }] } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBeDefined();
    const zero = await runSegment(system, { experiment: { arms: [{ name: 'a', kind: 'llm', weight: 0 }] } });
    expect(zero.status).toBe(422);
    const unknown = await runSegment(system, { experiment: { arms: [{ name: 'v9', kind: 'llm', weight: 1, prompt_version: 9 }] } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toEqual(expect.objectContaining({ code: 'unknown_prompt_version', details: { missing: [{ version: 9, locale: 'bn' }, { version: 9, locale: 'en' }] } }));
    expect((await getJson(`${system.baseUrl}/internal/ai/smartengage/customers/00000000-0000-4000-8000-000000000000/timeline`, API_KEY)).status).toBe(404);
  });
});
