import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { deliverApprovalDecision } from '../../src/temporal/clients/approval-decision';
import { campaignProgress } from '../../src/temporal/clients/campaign';
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
