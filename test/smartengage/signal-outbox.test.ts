import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { sql } from 'kysely';
import { Client as PgClient } from 'pg';
import { createMessagingActivities } from '../../src/activities/messaging';
import { createDatabase, type Db } from '../../src/db/database';
import { createLogger } from '../../src/lib/logger';
import { freePort } from '../../src/temporal/dev-server';
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

describe('a signal Temporal does not take', () => {
  const dbNow = async () => (await sql<{ now: Date }>`SELECT now() AS now`.execute(system.db)).rows[0].now.getTime();
  const outboxRow = (messageId: string) => system.db.selectFrom('signal_outbox').select(['attempts', 'last_error', sql<number>`extract(epoch from next_attempt_at) * 1000`.as('due_ms')]).where('message_id', '=', messageId).executeTakeFirst();

  it('stays in the outbox with the error, retried after 2^attempts seconds, at most a minute, and is delivered once Temporal takes it', async () => {
    const message = await clickedMessage();
    await recordResponseWithSignal(system.db, message, { messageId: message.id, response: 'CLICKED', at: new Date().toISOString() }, 'outbox-refused');
    // a client for a namespace the server does not have: every signal is refused
    const refusing = new Client({ connection: system.client.connection, namespace: `missing-${randomUUID()}` });

    for (const [attempts, backoffSeconds] of [[0, 1], [3, 8], [6, 60], [9, 60]]) {
      await system.db.updateTable('signal_outbox').set({ attempts, next_attempt_at: sql`now()` }).where('message_id', '=', message.id).execute();
      const errors: Array<{ error: unknown; messageId: string }> = [];
      const before = await dbNow();
      expect(await drainSignalOutbox(system.db, refusing, 50, (error, row) => errors.push({ error, messageId: row.message_id }))).toBe(0);
      const after = await dbNow();
      expect(errors).toEqual([{ error: expect.any(NamespaceNotFoundError), messageId: message.id }]);
      const row = await outboxRow(message.id);
      expect(row).toMatchObject({ attempts: attempts + 1, last_error: expect.stringContaining('Namespace not found') });
      expect(Number(row!.due_ms)).toBeGreaterThanOrEqual(before + backoffSeconds * 1000);
      expect(Number(row!.due_ms)).toBeLessThanOrEqual(after + backoffSeconds * 1000);
    }
    // not due yet: nobody delivers it, even with a working client
    expect(await drainSignalOutbox(system.db, system.client)).toBe(0);
    expect(await signalsReceived(message.workflow_id)).toBe(0);

    await system.db.updateTable('signal_outbox').set({ next_attempt_at: sql`now()` }).where('message_id', '=', message.id).execute();
    expect(await drainSignalOutbox(system.db, system.client)).toBe(1);
    expect(await signalsReceived(message.workflow_id)).toBe(1);
    expect(await outboxRow(message.id)).toBeUndefined();
  });

  it('records the response directly when the message has no workflow, or its workflow is gone', async () => {
    const user = await createUser(system.db);
    const activities = createMessagingActivities({ config: system.config, db: system.db, mailer: system.mailer, logger: createLogger('silent'), openai: null });
    const withoutWorkflow = await activities.recordMessage(recordInput(user.id, templateId));
    const gone = await activities.recordMessage(recordInput(user.id, templateId, { workflowId: `never-started-${randomUUID()}` }));
    const owed = [
      { id: withoutWorkflow.messageId, workflow_id: null },
      { id: gone.messageId, workflow_id: `never-started-${randomUUID()}` },
    ];
    for (const message of owed) {
      await recordResponseWithSignal(system.db, message, { messageId: message.id, response: 'CLICKED', at: new Date().toISOString() }, 'outbox-no-workflow');
    }
    expect(await drainSignalOutbox(system.db, system.client)).toBe(2);
    expect(await outboxSize()).toBe(0);
    const rows = await system.db.selectFrom('ai_messages').select('user_response').where('id', 'in', [withoutWorkflow.messageId, gone.messageId]).execute();
    expect(rows.map((r) => r.user_response)).toEqual(['CLICKED', 'CLICKED']);
  });

  it('reports a database it cannot reach on every pass, drains again when kicked mid-pass, and ignores kicks once stopped', async () => {
    const unreachable = await createDatabase({ url: `postgres://postgres@127.0.0.1:${await freePort()}/none` });
    const errors: unknown[] = [];
    // an hour between polls: only kicks and stop() drain here
    const drainer = startOutboxDrainer(unreachable, system.client, { intervalMs: 3_600_000, onError: (e) => errors.push(e) });
    try {
      drainer.kick();
      // a click stored while the first pass runs: one more pass follows it
      drainer.kick();
      await eventually(async () => errors.length === 2, 10_000, 20);
      // two kicked passes and the final one of stop()
      await drainer.stop();
      expect(errors).toHaveLength(3);
      expect(errors.every((e) => /ECONNREFUSED/.test(String((e as Error).message ?? (e as AggregateError).errors)))).toBe(true);
      drainer.kick();
      await new Promise((resolve) => setImmediate(resolve));
      expect(errors).toHaveLength(3);
    } finally {
      await unreachable.destroy();
    }
  });
});
