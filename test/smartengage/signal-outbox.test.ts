import { randomUUID } from 'node:crypto';
import { Client, NamespaceNotFoundError } from '@temporalio/client';
import { sql } from 'kysely';
import { Client as PgClient } from 'pg';
import { createMessagingActivities } from '../../src/activities/messaging';
import { createDatabase, type Db } from '../../src/db/database';
import { createLogger } from '../../src/lib/logger';
import { attachDeepLink, createDeepLink, recordDeepLinkClick } from '../../src/smartengage/deep-links';
import { customerTimeline } from '../../src/smartengage/decisions';
import { claimSignals, drainSignalOutbox, startOutboxDrainer, type OutboxDrainer } from '../../src/temporal/clients/signal-outbox';
import { freePort } from '../../src/temporal/dev-server';
import { activeTemplateId, recordInput } from '../messaging/fixtures';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { createCustomer, createService } from './fixtures';

/**
 * A first click is stored in one statement with CLICKED and the signal owed to the workflow;
 * the signal is delivered later, at a bounded pace, by whichever API process drains the outbox.
 * Workflows here run on a task queue no worker polls, so they stay open and their histories show
 * exactly which signals arrived.
 */
let system: TestSystem;
let secondApiDb: Db;
let templateId: string;
let serviceId: string;
let activities: ReturnType<typeof createMessagingActivities>;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  // a second API process: its own pool on the same schema
  secondApiDb = await createDatabase({ url: system.database.url, schema: system.database.schema, poolMax: 3 });
  templateId = await activeTemplateId(system.db, 'bn');
  serviceId = await createService(system.db);
  activities = createMessagingActivities({ config: system.config, db: system.db, mailer: system.mailer, logger: createLogger('silent'), openai: null });
});
afterAll(async () => {
  await secondApiDb.destroy();
  await system.stop();
});

interface SentReminder {
  id: string;
  workflow_id: string;
  customerId: string;
  tokenId: string;
}

/** A reminder sent with its deep link, owned by an open workflow that no worker runs. */
async function sentReminder(): Promise<SentReminder> {
  const workflowId = `outbox-test-${randomUUID()}`;
  await system.client.workflow.start('reengageCustomer', { workflowId, taskQueue: `idle-${randomUUID()}`, args: [{}] });
  const customer = await createCustomer(system.db, { serviceId });
  const link = await createDeepLink(system.db, system.config, { customerId: customer.id, serviceId, workflowId, ttlHours: 24, promoCode: null });
  const { messageId } = await activities.recordMessage(recordInput(customer.id, templateId, { workflowId, deepLink: link.url }));
  await attachDeepLink(system.db, link.tokenId, messageId);
  return { id: messageId, workflow_id: workflowId, customerId: customer.id, tokenId: link.tokenId };
}

async function signalsReceived(workflowId: string): Promise<number> {
  const history = await system.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'messageResponse').length;
}

const outboxOf = async (messageIds: string[]) =>
  Number((await system.db.selectFrom('signal_outbox').select((eb) => eb.fn.countAll().as('n')).where('message_id', 'in', messageIds).executeTakeFirstOrThrow()).n);
const responseOf = async (messageId: string) => (await system.db.selectFrom('ai_messages').select('user_response').where('id', '=', messageId).executeTakeFirstOrThrow()).user_response;
const timelineKinds = async (customerId: string) => (await customerTimeline(system.db, customerId, 50)).map((e) => e.kind);

const drainerOptions = (overrides: Partial<Parameters<typeof startOutboxDrainer>[2]> = {}) => ({
  intervalMs: 100,
  signalsPerSecond: 50,
  busySignalsPerSecond: 5,
  busyUtilization: 0.9,
  onError: (e: unknown) => {
    throw e;
  },
  ...overrides,
});

it('stores a first click with CLICKED, its timeline entry and the signal owed, all before any signal is sent; repeats owe nothing', async () => {
  const reminder = await sentReminder();
  const first = await recordDeepLinkClick(system.db, reminder.tokenId, 'corr-first');
  expect(first).toMatchObject({ messageId: reminder.id, firstClick: true, signalOwed: true });
  const again = await recordDeepLinkClick(system.db, reminder.tokenId, 'corr-again');
  expect(again).toMatchObject({ firstClick: false, signalOwed: false });

  expect(await responseOf(reminder.id)).toBe('CLICKED');
  expect(await timelineKinds(reminder.customerId)).toContain('clicked');
  const owed = await system.db.selectFrom('signal_outbox').selectAll().where('message_id', '=', reminder.id).execute();
  expect(owed).toHaveLength(1);
  expect(owed[0]).toMatchObject({ workflow_id: reminder.workflow_id, correlation_id: 'corr-first', event: { messageId: reminder.id, response: 'CLICKED' } });
  const link = await system.db.selectFrom('deep_links').select(['click_count', 'first_clicked_at']).where('token_id', '=', reminder.tokenId).executeTakeFirstOrThrow();
  expect(link.click_count).toBe(2);
  expect(link.first_clicked_at).not.toBeNull();
  expect(await signalsReceived(reminder.workflow_id)).toBe(0);

  expect(await drainSignalOutbox(system.db, system.client)).toBeGreaterThanOrEqual(1);
  expect(await signalsReceived(reminder.workflow_id)).toBe(1);
  expect(await outboxOf([reminder.id])).toBe(0);
});

it('never downgrades a stronger stored response: a first click after a booking keeps BOOKED', async () => {
  const reminder = await sentReminder();
  await activities.recordMessageResponse({ messageId: reminder.id, response: 'BOOKED', at: new Date().toISOString(), detail: randomUUID() });
  await recordDeepLinkClick(system.db, reminder.tokenId);
  expect(await responseOf(reminder.id)).toBe('BOOKED');
  await drainSignalOutbox(system.db, system.client);
  expect(await responseOf(reminder.id)).toBe('BOOKED');
});

it('records no IGNORED for a clicked message whose signal is still in the outbox when the attribution window closes', async () => {
  const reminder = await sentReminder();
  await recordDeepLinkClick(system.db, reminder.tokenId);
  // the workflow has not heard of the click (its signal waits in the backlog) and its window closes
  const ignored = await activities.recordMessageResponse({ messageId: reminder.id, response: 'IGNORED', at: new Date().toISOString() });
  expect(ignored.applied).toBe(false);
  expect(await responseOf(reminder.id)).toBe('CLICKED');
  const kinds = await timelineKinds(reminder.customerId);
  expect(kinds).toContain('clicked');
  expect(kinds).not.toContain('ignored');

  // the workflow is gone by the time the backlog reaches it: the click is stored directly, still CLICKED
  await system.client.workflow.getHandle(reminder.workflow_id).terminate('attribution window closed');
  await eventually(async () => (await drainSignalOutbox(system.db, system.client)) >= 0 && (await outboxOf([reminder.id])) === 0);
  expect(await responseOf(reminder.id)).toBe('CLICKED');
  expect(await timelineKinds(reminder.customerId)).not.toContain('ignored');
});

it('still records IGNORED, on the message and the timeline, for a reminder nobody clicked', async () => {
  const reminder = await sentReminder();
  const ignored = await activities.recordMessageResponse({ messageId: reminder.id, response: 'IGNORED', at: new Date().toISOString() });
  expect(ignored.applied).toBe(true);
  expect(await responseOf(reminder.id)).toBe('IGNORED');
  expect(await timelineKinds(reminder.customerId)).toContain('ignored');
});

it('delivers a backlog of first clicks at its pace, each workflow signalled once, by two API processes side by side', async () => {
  const reminders = await Promise.all(Array.from({ length: 8 }, () => sentReminder()));
  // clicks arrive faster than the pace: all stored, none signalled yet
  for (const r of reminders) await recordDeepLinkClick(system.db, r.tokenId);
  const ids = reminders.map((r) => r.id);
  expect(await outboxOf(ids)).toBe(8);
  for (const r of reminders) expect(await responseOf(r.id)).toBe('CLICKED');

  const errors: unknown[] = [];
  const drainers = [system.db, secondApiDb].map((db) => startOutboxDrainer(db, system.client, drainerOptions({ signalsPerSecond: 4, onError: (e) => errors.push(e) })));
  drainers.forEach((d) => d.kick());
  await eventually(async () => (await outboxOf(ids)) === 0, 30_000);
  await Promise.all(drainers.map((d) => d.stop()));

  expect(errors).toEqual([]);
  for (const r of reminders) expect(await signalsReceived(r.workflow_id)).toBe(1);
});

it('loses nothing when a drainer dies after claiming signals: another delivers them once the lease is over', async () => {
  const reminder = await sentReminder();
  await recordDeepLinkClick(system.db, reminder.tokenId);
  // a drainer claims the row and dies before sending it
  const claimed = await claimSignals(system.db, 1000, 1);
  expect(claimed.map((r) => r.message_id)).toContain(reminder.id);
  // while the lease holds, the others leave it alone
  expect((await claimSignals(secondApiDb, 1000, 1)).map((r) => r.message_id)).not.toContain(reminder.id);

  // a restarted process delivers it once the lease has run out
  const restarted = startOutboxDrainer(secondApiDb, system.client, drainerOptions());
  await eventually(async () => (await outboxOf([reminder.id])) === 0, 20_000);
  await restarted.stop();
  expect(await signalsReceived(reminder.workflow_id)).toBe(1);
  expect(await responseOf(reminder.id)).toBe('CLICKED');
});

it('delivers the rows a crashed drainer had locked once its connection is gone, never while it holds them', async () => {
  const reminder = await sentReminder();
  await recordDeepLinkClick(system.db, reminder.tokenId);

  // a drainer in the middle of its claim: rows locked, not yet leased
  const crashing = new PgClient({ connectionString: system.database.url, options: `-c search_path=${system.database.schema},public` });
  await crashing.connect();
  crashing.on('error', () => undefined);
  await crashing.query('BEGIN');
  await crashing.query('SELECT id FROM signal_outbox FOR UPDATE');

  // the other process skips what is locked
  expect(await drainSignalOutbox(secondApiDb, system.client)).toBe(0);
  expect(await signalsReceived(reminder.workflow_id)).toBe(0);

  // the crashed process's connection is ended by the server: its locks go with it
  const { rows } = await crashing.query('SELECT pg_backend_pid() AS pid');
  await system.db.selectNoFrom((eb) => eb.fn('pg_terminate_backend', [eb.val(rows[0].pid)]).as('t')).execute();
  await eventually(async () => (await drainSignalOutbox(secondApiDb, system.client)) >= 1, 10_000);
  expect(await signalsReceived(reminder.workflow_id)).toBe(1);
  expect(await outboxOf([reminder.id])).toBe(0);
  await crashing.end().catch(() => undefined);
});

describe('a signal Temporal does not take', () => {
  const dbNow = async () => (await sql<{ now: Date }>`SELECT now() AS now`.execute(system.db)).rows[0].now.getTime();
  const outboxRow = (messageId: string) =>
    system.db
      .selectFrom('signal_outbox')
      .select(['attempts', 'last_error', sql<number>`extract(epoch from next_attempt_at) * 1000`.as('due_ms')])
      .where('message_id', '=', messageId)
      .executeTakeFirst();

  it('stays in the outbox with its error and attempts, due again after 2^attempts seconds (at most a minute) rather than when its lease ends, and is delivered once Temporal takes it', async () => {
    const reminder = await sentReminder();
    await recordDeepLinkClick(system.db, reminder.tokenId);
    // a client for a namespace the server does not have: every signal is refused
    const refusing = new Client({ connection: system.client.connection, namespace: `missing-${randomUUID()}` });

    for (const [attempts, backoffSeconds] of [[0, 1], [3, 8], [6, 60], [9, 60]]) {
      await system.db.updateTable('signal_outbox').set({ attempts, next_attempt_at: sql`now()` }).where('message_id', '=', reminder.id).execute();
      const errors: Array<{ error: unknown; messageId: string }> = [];
      const before = await dbNow();
      // claimed under a 30 s lease; the refusal replaces the lease with the backoff
      await drainSignalOutbox(system.db, refusing, { leaseSeconds: 30, onError: (error, row) => errors.push({ error, messageId: row.message_id }) });
      const after = await dbNow();
      expect(errors.filter((e) => e.messageId === reminder.id)).toEqual([{ error: expect.any(NamespaceNotFoundError), messageId: reminder.id }]);
      const row = await outboxRow(reminder.id);
      expect(row).toMatchObject({ attempts: attempts + 1, last_error: expect.stringContaining('Namespace not found') });
      expect(Number(row!.due_ms)).toBeGreaterThanOrEqual(before + backoffSeconds * 1000);
      expect(Number(row!.due_ms)).toBeLessThanOrEqual(after + backoffSeconds * 1000);
    }
    // not due yet: nobody delivers it, even with a client Temporal answers
    await drainSignalOutbox(system.db, system.client);
    expect(await signalsReceived(reminder.workflow_id)).toBe(0);
    expect(await outboxRow(reminder.id)).toMatchObject({ attempts: 10 });

    await system.db.updateTable('signal_outbox').set({ next_attempt_at: sql`now()` }).where('message_id', '=', reminder.id).execute();
    expect(await drainSignalOutbox(system.db, system.client)).toBeGreaterThanOrEqual(1);
    expect(await signalsReceived(reminder.workflow_id)).toBe(1);
    expect(await outboxRow(reminder.id)).toBeUndefined();
    expect(await responseOf(reminder.id)).toBe('CLICKED');
  });

  it('records the response directly and leaves the outbox when the message has no workflow, or its workflow never ran', async () => {
    const customer = await createCustomer(system.db, { serviceId });
    const clicked = async (workflowId: string | null) => {
      const link = await createDeepLink(system.db, system.config, { customerId: customer.id, serviceId, workflowId: `link-${randomUUID()}`, ttlHours: 24, promoCode: null });
      const { messageId } = await activities.recordMessage(recordInput(customer.id, templateId, { workflowId: workflowId ?? `unused-${randomUUID()}`, deepLink: link.url }));
      // a message stored with no owning workflow (the column allows it)
      if (workflowId === null) await system.db.updateTable('ai_messages').set({ workflow_id: null }).where('id', '=', messageId).execute();
      await attachDeepLink(system.db, link.tokenId, messageId);
      expect(await recordDeepLinkClick(system.db, link.tokenId)).toMatchObject({ messageId, signalOwed: true });
      return messageId;
    };
    const withoutWorkflow = await clicked(null);
    const neverRan = await clicked(`never-started-${randomUUID()}`);
    expect(await system.db.selectFrom('signal_outbox').select('workflow_id').where('message_id', '=', withoutWorkflow).executeTakeFirstOrThrow()).toEqual({ workflow_id: null });

    const errors: unknown[] = [];
    expect(await drainSignalOutbox(system.db, system.client, { onError: (e) => errors.push(e) })).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
    expect(await outboxOf([withoutWorkflow, neverRan])).toBe(0);
    expect(await responseOf(withoutWorkflow)).toBe('CLICKED');
    expect(await responseOf(neverRan)).toBe('CLICKED');
    // the click statement stored CLICKED and its timeline entry already: the direct record adds no second one
    expect((await timelineKinds(customer.id)).filter((k) => k === 'clicked')).toHaveLength(2);
  });

  it('reports a database it cannot reach on every pass and keeps passing; stop() waits for the pass under way, runs no final one, and kicks after it do nothing', async () => {
    const unreachable = await createDatabase({ url: `postgres://postgres@127.0.0.1:${await freePort()}/none` });
    const errors: unknown[] = [];
    let stopping: Promise<void> | undefined;
    const drainer: OutboxDrainer = startOutboxDrainer(
      unreachable,
      system.client,
      drainerOptions({
        intervalMs: 50,
        // the same pace busy or not, so every pass looks at the outbox
        busySignalsPerSecond: 50,
        onError: (e) => {
          errors.push(e);
          // a click stored while the second pass is under way: that kick is dropped, the next timed pass looks again
          if (errors.length === 2) drainer.kick();
          if (errors.length === 3) stopping = drainer.stop();
        },
      }),
    );
    try {
      await eventually(async () => stopping !== undefined, 10_000, 20);
      await stopping;
      expect(errors).toHaveLength(3);
      expect(errors.every((e) => /ECONNREFUSED/.test(String((e as Error).message ?? (e as AggregateError).errors)))).toBe(true);
      drainer.kick();
      // ten poll intervals: neither the kick nor the timer starts another pass
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(errors).toHaveLength(3);
    } finally {
      await drainer.stop();
      await unreachable.destroy();
    }
  });
});
