import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { createMessagingActivities } from '../../src/activities/messaging';
import { createDatabase, type Db } from '../../src/db/database';
import { createLogger } from '../../src/lib/logger';
import { drainSignalOutbox, recordResponseWithSignal, startOutboxDrainer } from '../../src/temporal/clients/signal-outbox';
import { activeTemplateId, createUser, recordInput } from '../messaging/fixtures';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';

/**
 * The click signal is durable: stored with CLICKED in one transaction, delivered by whichever
 * API process drains the outbox. Workflows here run on a task queue no worker polls, so they stay
 * open and their histories show exactly which signals arrived.
 */
let system: TestSystem;
let secondApiDb: Db;
let templateId: string;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  // a second API process: its own pool on the same schema
  secondApiDb = await createDatabase({ url: system.database.url, schema: system.database.schema, poolMax: 3 });
  templateId = await activeTemplateId(system.db, 'bn');
});
afterAll(async () => {
  await secondApiDb.destroy();
  await system.stop();
});

async function clickedMessage(): Promise<{ id: string; workflow_id: string }> {
  const workflowId = `outbox-test-${randomUUID()}`;
  await system.client.workflow.start('reengageCustomer', { workflowId, taskQueue: `idle-${randomUUID()}`, args: [{}] });
  const user = await createUser(system.db);
  const activities = createMessagingActivities({ config: system.config, db: system.db, mailer: system.mailer, logger: createLogger('silent'), openai: null });
  const { messageId } = await activities.recordMessage(recordInput(user.id, templateId, { workflowId }));
  return { id: messageId, workflow_id: workflowId };
}

async function signalsReceived(workflowId: string): Promise<number> {
  const history = await system.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
}

const outboxSize = async () => Number((await system.db.selectFrom('signal_outbox').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

it('keeps the signal of a click whose API process died before signalling, and another process delivers it once', async () => {
  const messages = await Promise.all([1, 2, 3, 4, 5, 6].map(() => clickedMessage()));
  // the process that stored the clicks dies before it signals: only the database has them
  for (const message of messages) {
    await recordResponseWithSignal(system.db, message, { messageId: message.id, response: 'CLICKED', at: new Date().toISOString() }, 'outbox-test');
  }
  const rows = await system.db.selectFrom('ai_messages').select('user_response').where('id', 'in', messages.map((m) => m.id)).execute();
  expect(rows.every((r) => r.user_response === 'CLICKED')).toBe(true);
  expect(await outboxSize()).toBe(6);

  // two surviving API processes drain side by side
  const errors: unknown[] = [];
  const drainers = [system.db, secondApiDb].map((db) => startOutboxDrainer(db, system.client, { intervalMs: 200, onError: (e) => errors.push(e) }));
  drainers.forEach((d) => d.kick());
  await eventually(async () => (await outboxSize()) === 0, 20_000);
  await Promise.all(drainers.map((d) => d.stop()));

  expect(errors).toEqual([]);
  for (const message of messages) expect(await signalsReceived(message.workflow_id)).toBe(1);
});

it('delivers the rows a crashed drainer had locked once its connection is gone, never while it holds them', async () => {
  const message = await clickedMessage();
  await recordResponseWithSignal(system.db, message, { messageId: message.id, response: 'CLICKED', at: new Date().toISOString() }, 'outbox-test');

  // a drainer in the middle of its batch: rows locked, not yet delivered
  const crashing = new PgClient({ connectionString: system.database.url, options: `-c search_path=${system.database.schema},public` });
  await crashing.connect();
  crashing.on('error', () => undefined);
  await crashing.query('BEGIN');
  await crashing.query('SELECT id FROM signal_outbox FOR UPDATE');

  // the other process skips what is locked
  expect(await drainSignalOutbox(secondApiDb, system.client)).toBe(0);
  expect(await signalsReceived(message.workflow_id)).toBe(0);

  // the crashed process's connection is ended by the server: its locks go with it
  const { rows } = await crashing.query('SELECT pg_backend_pid() AS pid');
  await system.db.selectNoFrom((eb) => eb.fn('pg_terminate_backend', [eb.val(rows[0].pid)]).as('t')).execute();
  await eventually(async () => (await drainSignalOutbox(secondApiDb, system.client)) === 1, 10_000);
  expect(await signalsReceived(message.workflow_id)).toBe(1);
  expect(await outboxSize()).toBe(0);
  await crashing.end().catch(() => undefined);
});
