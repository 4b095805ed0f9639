import { randomUUID } from 'node:crypto';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { getJson, postJson } from '../helpers/http';
import { API_KEY, createWorker } from '../coachnova/fixtures';

/**
 * With no Temporal worker polling (a deploy, a crash), reads that query a running workflow must
 * still answer promptly from the database rather than hang on the query.
 */
let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ worker: false });
});
afterAll(async () => {
  await system.stop();
});

it('answers a worker state from the database when the session cannot be queried', async () => {
  const worker = await createWorker(system.db);
  const event = await postJson(`${system.baseUrl}/internal/ai/coachnova/events`, { type: 'job_completed', worker_id: worker.id, booking_id: randomUUID(), rating: 5 }, API_KEY);
  expect(event.status).toBe(202);

  const state = await getJson(`${system.baseUrl}/internal/ai/coachnova/workers/${worker.id}`, API_KEY);
  expect(state.status).toBe(200);
  expect(state.body.worker_id).toBe(worker.id);
  expect(state.body.source).toBe('database');
});
