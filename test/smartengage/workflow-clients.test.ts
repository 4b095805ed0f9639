import { randomUUID } from 'node:crypto';
import { Client, ScheduleNotFoundError } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import { deliverApprovalDecision } from '../../src/temporal/clients/approval-decision';
import { describeCadenceSchedule } from '../../src/temporal/clients/cadence-schedule';
import { campaignProgress } from '../../src/temporal/clients/campaign';
import { receiveReply } from '../../src/temporal/clients/reply';
import { replyWorkflowId } from '../../src/workflows/replies/definitions';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { testServerClient } from '../helpers/temporal-test-server';

/**
 * The API's SmartEngage workflow clients against runs that cannot answer: closed, never started,
 * or open on a task queue no worker polls (the end-to-end tests cover the answering runs).
 */
let client: Client;
beforeAll(async () => {
  client = await testServerClient();
});
afterAll(async () => {
  await client.connection.close();
});

async function idleRun(workflowType: string): Promise<string> {
  const workflowId = `clients-test-${randomUUID()}`;
  await client.workflow.start(workflowType, { workflowId, taskQueue: `idle-${randomUUID()}`, args: [{}] });
  return workflowId;
}

const decision = { messageId: randomUUID(), decision: 'approve' as const, decidedBy: 'test' };

describe('an approval decision', () => {
  it('is refused as "gone" when the run has closed or never existed', async () => {
    const closed = await idleRun('reengageCustomer');
    await client.workflow.getHandle(closed).terminate('test over');
    expect(await deliverApprovalDecision(client, closed, decision)).toMatchObject({ delivered: false, refusal: 'gone' });
    expect(await deliverApprovalDecision(client, `never-${randomUUID()}`, decision)).toMatchObject({ delivered: false, refusal: 'gone', message: expect.any(String) });
  });

  it('throws any other failure instead of calling it a refusal', async () => {
    const elsewhere = new Client({ connection: client.connection, namespace: `missing-${randomUUID()}` });
    await expect(deliverApprovalDecision(elsewhere, `any-${randomUUID()}`, decision)).rejects.toBeInstanceOf(NamespaceNotFoundError);
  });
});

describe("a campaign's live progress", () => {
  it('is null when no worker answers within the deadline, so the row\'s counts are shown', async () => {
    const open = await idleRun('smartEngageCampaign');
    expect(await campaignProgress(client, open)).toBeNull();
    await client.workflow.getHandle(open).terminate('test over');
  });

  it('is null for a run that does not exist', async () => {
    expect(await campaignProgress(client, `never-${randomUUID()}`)).toBeNull();
  });
});

describe('a reply whose workflow cannot be started', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('is kept and the failure thrown (so the mail server retries); the redelivery is a duplicate that starts the workflow', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', TEMPORAL_TASK_QUEUE: `idle-${randomUUID()}` });
    const user = await database.db
      .insertInto('users')
      .values({ email: `r-${randomUUID()}@example.test`, full_name: 'Reply Customer', role: 'customer', locale: 'en' })
      .returning('id')
      .executeTakeFirstOrThrow();
    // a message whose workflow is gone from the row: the REPLIED response is recorded directly
    const message = await database.db
      .insertInto('ai_messages')
      .values({
        user_id: user.id,
        role: 'CUSTOMER',
        agent_type: 'smartengage',
        channel: 'EMAIL',
        message_type: 'REMINDER',
        message_text: 'It has been a while.',
        locale: 'en',
        safety_checks: JSON.stringify({ safe: true, checks: [] }),
        idempotency_key: `clients:${randomUUID()}`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const reply = { messageId: message.id, channel: 'email' as const, text: 'Friday works.', emailMessageId: `<${randomUUID()}@mail.example.test>` };

    const elsewhere = new Client({ connection: client.connection, namespace: `missing-${randomUUID()}` });
    await expect(receiveReply({ db: database.db, temporal: elsewhere, config }, reply)).rejects.toBeInstanceOf(NamespaceNotFoundError);
    const stored = await database.db.selectFrom('message_replies').select('id').where('message_id', '=', message.id).execute();
    expect(stored).toHaveLength(1);
    const row = await database.db.selectFrom('ai_messages').select('user_response').where('id', '=', message.id).executeTakeFirstOrThrow();
    expect(row.user_response).toBe('REPLIED');

    const again = await receiveReply({ db: database.db, temporal: client, config }, { ...reply, correlationId: 'retry-1' });
    expect(again).toEqual({ replyId: stored[0].id, duplicate: true, deliveredTo: 'duplicate' });
    const started = client.workflow.getHandle(replyWorkflowId(stored[0].id));
    expect((await started.describe()).status.name).toBe('RUNNING');
    await started.terminate('test over');
  });

  it('is refused as not found when its message does not exist', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    await expect(receiveReply({ db: database.db, temporal: client, config }, { messageId: randomUUID(), channel: 'in_app', text: 'hello' })).rejects.toMatchObject({ status: 404 });
  });
});

describe('a cadence schedule on a namespace the server does not have', () => {
  it('is an error, not "no such schedule" (a 404 would hide the configuration problem)', async () => {
    const elsewhere = new Client({ connection: client.connection, namespace: `missing-${randomUUID()}` });
    const error = await describeCadenceSchedule(elsewhere, 'smartengage-daily').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ScheduleNotFoundError);
  });
});
