import { randomUUID } from 'node:crypto';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { postJson } from '../helpers/http';
import { createCustomer, createService, runSegment, smartEngageEnv, waitForJob } from '../smartengage/fixtures';
import { API_KEY, createWorker, quietHoursAwayFromNow } from '../coachnova/fixtures';

/**
 * DESIGN "Privacy": a person's email address and phone number never appear in plain text in
 * Temporal history. Runs both agents end to end, then reads every event of every run on this
 * file's task queue and looks for the addresses.
 */
let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ env: { ...smartEngageEnv(), ...quietHoursAwayFromNow() } });
});
afterAll(async () => {
  await system.stop();
});

/** Payload bytes come base64-encoded (or as raw bytes): decode them so their JSON text is searched. */
function decodePayloadData(key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (key === 'data' && typeof value === 'string') return Buffer.from(value, 'base64').toString('utf8');
  return value;
}

async function allHistoriesText(): Promise<{ runs: number; text: string }> {
  const chunks: string[] = [];
  let runs = 0;
  for await (const execution of system.client.workflow.list({ query: `TaskQueue = "${system.taskQueue}"` })) {
    const history = await system.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    chunks.push(JSON.stringify(history, decodePayloadData));
    runs++;
  }
  return { runs, text: chunks.join('\n') };
}

it('keeps customer, worker and supervisor addresses and phones out of workflow histories', async () => {
  const serviceId = await createService(system.db);
  const customer = await createCustomer(system.db, { serviceId, name: 'Privacy Probe' });
  const phone = `+88017${Math.floor(10_000_000 + Math.random() * 89_999_999)}`;
  await system.db.updateTable('users').set({ phone }).where('id', '=', customer.id).execute();

  const supervisorEmail = `supervisor-${randomUUID()}@example.test`;
  const worker = await createWorker(system.db, { supervisorEmail });

  const run = await runSegment(system, {});
  expect(run.status).toBe(202);
  const job = await waitForJob(system, run.body.job_id);
  expect(job.counts.sent).toBeGreaterThanOrEqual(1);

  // a bad job (coaching tip by email) and a worried check-in (HIGH: check-in + supervisor alert)
  const event = await postJson(`${system.baseUrl}/internal/ai/coachnova/events`, { type: 'job_completed', worker_id: worker.id, booking_id: randomUUID(), rating: 2, feedback: 'late and rude' }, API_KEY);
  expect(event.status).toBe(202);
  const checkIn = await postJson(`${system.baseUrl}/internal/ai/coachnova/workers/${worker.id}/check-in`, { score: 1, text: 'exhausted' }, API_KEY);
  expect(checkIn.status).toBe(202);
  await system.smtp.waitForMessages(4, 30_000);
  await eventually(() => Promise.resolve(system.smtp.messages.some((m) => m.to && JSON.stringify(m.to).includes(supervisorEmail))), 30_000);

  const { runs, text } = await allHistoriesText();
  expect(runs).toBeGreaterThanOrEqual(3);
  // the service id travels only inside payloads: finding it proves the payloads were decoded and read
  expect(text.includes(serviceId)).toBe(true);
  const leaked = [customer.email, phone, worker.email, supervisorEmail].filter((secret) => text.includes(secret));
  expect(leaked).toEqual([]);
});
