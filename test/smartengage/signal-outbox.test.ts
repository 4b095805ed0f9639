import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { createMessagingActivities } from '../../src/activities/messaging';
import { createDatabase, type Db } from '../../src/db/database';
import { createLogger } from '../../src/lib/logger';
import { attachDeepLink, createDeepLink, recordDeepLinkClick } from '../../src/smartengage/deep-links';
import { customerTimeline } from '../../src/smartengage/decisions';
import { claimSignals, drainSignalOutbox, startOutboxDrainer } from '../../src/temporal/clients/signal-outbox';
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
