import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { createCustomer, createService, linkPath, messagesOf, runSegment, smartEngageEnv, waitForJob } from './fixtures';

/** A repeated click is counted on the link and redirected, but only the first one is signalled. */
let system: TestSystem;
beforeAll(async () => {
  // a long attribution window keeps the workflow open to receive signals
  system = await startTestSystem({ env: smartEngageEnv(undefined, { SE_ATTRIBUTION_WINDOW_SECONDS: '120' }) });
});
afterAll(async () => {
  await system.stop();
});

it('signals the workflow once however often the link is opened', async () => {
  const serviceId = await createService(system.db);
  const customer = await createCustomer(system.db, { serviceId });
  const run = await runSegment(system, {});
  await waitForJob(system, run.body.job_id);
  const [message] = await messagesOf(system.db, customer.id);

  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${system.baseUrl}${linkPath(message.deep_link!)}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    // stored before the redirect answers; the workflow hears of it afterwards
    if (i === 0) expect((await messagesOf(system.db, customer.id))[0].user_response).toBe('CLICKED');
  }

  const link = await system.db.selectFrom('deep_links').selectAll().where('message_id', '=', message.id).executeTakeFirstOrThrow();
  expect(link.click_count).toBe(3);
  expect((await messagesOf(system.db, customer.id))[0].user_response).toBe('CLICKED');
  // the signal leaves the outbox at the drainer's pace: once it is out, it was sent once
  const outbox = () => system.db.selectFrom('signal_outbox').select('id').where('message_id', '=', message.id).execute();
  await eventually(async () => (await outbox()).length === 0);
  const history = await system.client.workflow.getHandle(message.workflow_id!).fetchHistory();
  const signals = history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'messageResponse');
  expect(signals).toHaveLength(1);
});
