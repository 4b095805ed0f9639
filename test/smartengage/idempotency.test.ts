import { randomUUID } from 'node:crypto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { createLogger } from '../../src/lib/logger';
import { claimContact } from '../../src/smartengage/contact-claim';
import { localDate } from '../../src/core/local-time';
import { resolveCriteria } from '../../src/smartengage/criteria';
import { campaignSettings } from '../../src/smartengage/core/settings';
import type { reengageCustomer } from '../../src/workflows/smartengage/reengagement';
import { REENGAGEMENT_WORKFLOW } from '../../src/workflows/smartengage/definitions';
import type { ReengagementInput } from '../../src/smartengage/types';
import { startOpenAiServer, type TestOpenAiServer } from '../helpers/openai-server';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { encryptedDataConverter } from '../../src/temporal/codec/data-converter';
import { createCustomer, createService, messagesOf, runSegment, smartEngageEnv, waitForJob } from './fixtures';
import { workflowCoverageSinks } from '../helpers/workflow-coverage';

let system: TestSystem;
let llm: TestOpenAiServer;
beforeAll(async () => {
  llm = await startOpenAiServer();
  // at most 3 children per run: a 2-customer page forces continue-as-new after every page
  system = await startTestSystem({ env: smartEngageEnv(llm.baseUrl, { SE_MAX_CHILDREN_PER_RUN: '3' }) });
});
afterAll(async () => {
  await system?.stop();
  await llm?.close();
});

const reengagementInput = (customerId: string, serviceId: string): ReengagementInput => ({
  customerId,
  serviceId,
  campaignId: null,
  correlationId: `test-${randomUUID()}`,
  settings: campaignSettings(resolveCriteria({}, system.config), system.config).reengagement,
});

describe('SmartEngage never contacts anyone twice', () => {
  it('pages a segment across continue-as-new runs and sends exactly one mail per customer', async () => {
    const serviceId = await createService(system.db);
    const customers = await Promise.all(Array.from({ length: 5 }, (_, i) => createCustomer(system.db, { serviceId, name: `Paged ${i}` })));
    const started = await runSegment(system, { segment_criteria: { page_size: 2, concurrency: 2 } });
    expect(started.body.estimated_customers).toBe(5);
    const job = await waitForJob(system, started.body.job_id);
    expect(job.counts).toEqual(expect.objectContaining({ eligible: 5, sent: 5, skipped: 0, failed: 0 }));

    const handle = system.client.workflow.getHandle(`campaign-${started.body.job_id}`);
    expect(await handle.result()).toEqual(expect.objectContaining({ eligible: 5, sent: 5 }));
    // three pages of at most two customers, each page its own run (continue-as-new carries cursor and counts)
    let runs = 0;
    await eventually(async () => {
      runs = 0;
      for await (const _ of system.client.workflow.list({ query: `WorkflowId = "${handle.workflowId}"` })) runs++;
      return runs >= 3;
    });
    expect(runs).toBeGreaterThanOrEqual(3);

    await system.smtp.waitForMessages(5);
    for (const c of customers) expect(await messagesOf(system.db, c.id)).toHaveLength(1);
  });

  it('running the same segment again, or two campaigns at once, sends nothing twice', async () => {
    system.smtp.messages.length = 0;
    const serviceId = await createService(system.db, { name: 'Deep Cleaning', name_bn: 'ডিপ ক্লিনিং' });
    const customers = await Promise.all(Array.from({ length: 4 }, (_, i) => createCustomer(system.db, { serviceId, name: `Twin ${i}` })));
    const criteria = { segment_criteria: { service_ids: [serviceId] } };

    const [a, b] = await Promise.all([runSegment(system, criteria), runSegment(system, criteria)]);
    expect(a.body.segment_id).toBe(b.body.segment_id);
    const [jobA, jobB] = await Promise.all([waitForJob(system, a.body.job_id), waitForJob(system, b.body.job_id)]);
    expect(jobA.counts.sent + jobB.counts.sent).toBe(4);
    const skippedByDedupe = jobA.counts.skipped + jobB.counts.skipped;
    expect(jobA.counts.eligible + jobB.counts.eligible - skippedByDedupe).toBe(4);

    const again = await runSegment(system, criteria);
    expect(again.body.estimated_customers).toBe(0);
    const jobC = await waitForJob(system, again.body.job_id);
    expect(jobC.counts.sent).toBe(0);

    await system.smtp.waitForMessages(4);
    await new Promise((r) => setTimeout(r, 500));
    expect(system.smtp.messages).toHaveLength(4);
    for (const c of customers) expect(await messagesOf(system.db, c.id)).toHaveLength(1);
  });

  it('counts a customer whose reminder for today already exists as already_handled', async () => {
    system.smtp.messages.length = 0;
    const serviceId = await createService(system.db, { name: 'Pest Control', name_bn: 'পেস্ট কন্ট্রোল' });
    const [taken, ...rest] = await Promise.all(Array.from({ length: 4 }, (_, i) => createCustomer(system.db, { serviceId, name: `Daily ${i}` })));
    // today's reminder for `taken` is already running (parked on a queue nobody polls)
    const existing = await system.client.workflow.start<typeof reengageCustomer>(REENGAGEMENT_WORKFLOW, {
      workflowId: `reengage-${taken.id}-${localDate(new Date(), 'Asia/Dhaka')}`,
      taskQueue: `parked-${randomUUID()}`,
      args: [reengagementInput(taken.id, serviceId)],
    });
    try {
      const run = await runSegment(system, { segment_criteria: { service_ids: [serviceId] } });
      expect(run.body.estimated_customers).toBe(4);
      const job = await waitForJob(system, run.body.job_id);
      expect(job.counts).toEqual(expect.objectContaining({ eligible: 4, sent: 3, skipped: 1, skipped_reasons: { already_handled: 1 } }));
      expect(await messagesOf(system.db, taken.id)).toHaveLength(0);
      for (const c of rest) expect(await messagesOf(system.db, c.id)).toHaveLength(1);
    } finally {
      await existing.terminate('test over');
    }
  });

  it('holds the frequency cap in the database when two runs race for one customer', async () => {
    system.smtp.messages.length = 0;
    const serviceId = await createService(system.db);
    const customer = await createCustomer(system.db, { serviceId });
    // two different workflow ids (as if two days' runs overlapped): only the claim can stop the second
    const ids = ['a', 'b'].map((s) => `reengage-${customer.id}-race-${s}`);
    const outcomes = await Promise.all(
      ids.map((workflowId) =>
        system.client.workflow.execute<typeof reengageCustomer>(REENGAGEMENT_WORKFLOW, { workflowId, taskQueue: system.taskQueue, args: [reengagementInput(customer.id, serviceId)] }),
      ),
    );
    expect(outcomes.map((o: any) => o.status).sort()).toEqual(['sent', 'skipped']);
    expect(outcomes.find((o: any) => o.status === 'skipped')).toEqual(expect.objectContaining({ reason: 'frequency_cap' }));
    expect(system.smtp.messages).toHaveLength(1);

    // and at the SQL level: many concurrent claimers, one winner
    const other = await createCustomer(system.db, { serviceId });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => claimContact(system.db, other.id, `claimer-${i}`, 24)));
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    // the winner may claim again (a retried activity) without losing the slot
    const winner = results.findIndex((r) => r.claimed);
    expect(await claimContact(system.db, other.id, `claimer-${winner}`, 24)).toEqual({ claimed: true });
  });

  it('skips a customer who opted out while the reminder was waiting to be sent', async () => {
    system.smtp.messages.length = 0;
    const serviceId = await createService(system.db);
    const customer = await createCustomer(system.db, { serviceId });
    // started on a queue nobody polls yet: the run waits, as it would for its send window
    const queue = `paused-${randomUUID()}`;
    const handle = await system.client.workflow.start<typeof reengageCustomer>(REENGAGEMENT_WORKFLOW, {
      workflowId: `reengage-${customer.id}-optout`,
      taskQueue: queue,
      args: [reengagementInput(customer.id, serviceId)],
    });
    await system.db.updateTable('users').set({ consent: JSON.stringify({ marketing: false }) }).where('id', '=', customer.id).execute();

    const connection = await NativeConnection.connect({ address: system.config.TEMPORAL_ADDRESS! });
    const worker = await Worker.create({
      connection,
      taskQueue: queue,
      workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
      dataConverter: encryptedDataConverter(system.config),
      activities: createActivities({ config: system.config, db: system.db, mailer: system.mailer, logger: createLogger('silent'), openai: null }),
      sinks: workflowCoverageSinks(),
    });
    const outcome = await worker.runUntil(handle.result());
    await connection.close();
    expect(outcome).toEqual(expect.objectContaining({ status: 'skipped', reason: 'no_consent' }));
    expect(system.smtp.messages).toHaveLength(0);
    expect(await messagesOf(system.db, customer.id)).toHaveLength(0);
  });
});
