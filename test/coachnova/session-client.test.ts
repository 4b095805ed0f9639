import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { coachingWorkflowId } from '../../src/coachnova/settings';
import { loadConfig } from '../../src/config';
import { runningSessionView, signalCoachingSession } from '../../src/temporal/clients/coaching-session';
import { freePort } from '../../src/temporal/dev-server';
import { testServerClient } from '../helpers/temporal-test-server';

/**
 * The API's session client on the shared dev server with no worker polling this file's task
 * queue: sessions it starts stay open and never answer a query, as when every worker is down.
 */
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', TEMPORAL_TASK_QUEUE: `sessions-${randomUUID()}` });
let client: Client;
beforeAll(async () => {
  client = await testServerClient();
});
afterAll(async () => {
  await client.connection.close();
});

const at = new Date().toISOString();

it('starts one session on the first event and delivers every kind of event to it as its own signal', async () => {
  const workerId = randomUUID();
  const events = [
    { type: 'check_in', payload: { score: 4, text: null, at, correlation_id: 'c1' } },
    { type: 'job_completed', payload: { booking_id: randomUUID(), rating: 5, feedback: null, started_at: null, finished_at: at, minutes_late: null, correlation_id: 'c2' } },
    { type: 'job_cancelled', payload: { booking_id: randomUUID(), at, reason: 'customer away', correlation_id: 'c3' } },
  ] as const;
  for (const event of events) expect(await signalCoachingSession(client, config, workerId, event, 'corr')).toBe(coachingWorkflowId(workerId));

  const handle = client.workflow.getHandle(coachingWorkflowId(workerId));
  const history = await handle.fetchHistory();
  const started = (history.events ?? []).filter((e) => e.workflowExecutionStartedEventAttributes);
  const signals = (history.events ?? []).flatMap((e) => (e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes.signalName] : []));
  expect(started).toHaveLength(1);
  expect(signals).toEqual(['checkIn', 'jobCompleted', 'jobCancelled']);
  const description = await handle.describe();
  expect(description.taskQueue).toBe(config.TEMPORAL_TASK_QUEUE);
  expect(description.searchAttributes).toMatchObject({ WorkerId: [workerId], AgentType: ['coachnova'] });

  // running, but no worker answers the query within its deadline: the stored view answers instead
  expect(await runningSessionView(client, workerId)).toBeNull();
  // ended: nothing live to show
  await handle.terminate('test over');
  expect(await runningSessionView(client, workerId)).toBeNull();
});

it('answers null for a worker without a session', async () => {
  expect(await runningSessionView(client, randomUUID())).toBeNull();
});

it('throws what the stored view cannot stand in for (an unknown namespace is a configuration error)', async () => {
  const elsewhere = new Client({ connection: client.connection, namespace: `missing-${randomUUID()}` });
  await expect(runningSessionView(elsewhere, randomUUID())).rejects.toBeInstanceOf(NamespaceNotFoundError);
});

it('answers null while the server is down (restarting) instead of waiting out the SDK\'s retries', async () => {
  // nothing listens: every call is UNAVAILABLE, which the SDK retries for about 20 s; the read
  // must answer within its own deadline so the API can serve the stored view (chaos suite: a
  // session read during a Temporal restart got no answer within 30 s)
  const down = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}` }), namespace: 'default' });
  try {
    expect(await runningSessionView(down, randomUUID())).toBeNull();
  } finally {
    await down.connection.close();
  }
}, 10_000);
