import { randomUUID } from 'node:crypto';
import { deleteFuzzSchedules, Fuzzer, formatReport } from '../../fuzz/engine';
import { createWorld, type World } from '../../fuzz/world';
import { metricsRegistry } from '../../src/lib/metrics';
import { getJson, postJson } from '../helpers/http';
import { startTestSystem, type TestSystem } from '../helpers/system';

/**
 * `npm run fuzz` at small size: every operation of the OpenAPI document, valid and hostile
 * requests from a fixed seed (a few hundred in all), no worker (nothing a request starts runs),
 * campaigns over criteria that match nobody and schedules created paused (deleted afterwards).
 * Then what the fuzzer found, each as the failing case it was.
 */
const SEED = 20261203;
const RUNS = 4;

let system: TestSystem;
let world: World;
beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  world = await createWorld(system.db, system.config);
});
afterAll(async () => {
  await deleteFuzzSchedules(system.client);
  await system.stop();
});

describe('fuzzing every route from the OpenAPI document', () => {
  it('never answers 5xx, always answers errors as JSON with a correlation id, accepts only valid values', async () => {
    const doc = await (await fetch(`${system.baseUrl}/openapi.json`)).json();
    const fuzzer = new Fuzzer({ baseUrl: system.baseUrl, doc, world, runs: RUNS, seed: SEED, rawRuns: 10 });
    const report = await fuzzer.run();
    if (report.violations.length || process.env.FUZZ_VERBOSE) console.log(formatReport(report));
    expect(report.violations.map((v) => `${v.route} ${v.invariant}: ${v.status} ${v.request}`)).toEqual([]);
    expect(Object.keys(report.routes).length).toBeGreaterThan(30);
  }, 180_000);
});

const operator = () => ({ 'x-api-key': world.apiKey });

describe('fuzz findings (regressions)', () => {
  it('answers a deeply nested JSON body with a 422, not a 500 (stack overflow in the text check)', async () => {
    const arrays = `{"text":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const objects = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    for (const [url, body] of [
      [`/messages/${world.messages.customerA}/reply`, arrays],
      [`/internal/prompts/${randomUUID()}/preview`, objects],
      ['/bookings', objects],
    ]) {
      const res = await postJson(`${system.baseUrl}${url}`, body, operator());
      expect({ url, status: res.status }).toEqual({ url, status: 422 });
      expect(res.body.error.details[0].message).toMatch(/nested deeper/);
      expect(res.body.correlation_id).toBe(res.headers.get('x-correlation-id'));
    }
    // ordinary nesting (criteria in a schedule request) is untouched
    const ok = await postJson(`${system.baseUrl}/internal/ai/smartengage/schedules`, { schedule_id: `fuzz-${randomUUID().slice(0, 8)}`, paused: true, segment_criteria: { service_ids: [randomUUID()] } }, operator());
    expect(ok.status).toBe(201);
    await system.client.schedule.getHandle(ok.body.schedule_id).delete();
  });

  it("answers a worker's view from the database when the session runs but no worker answers its query (was a 500)", async () => {
    // this file runs no Temporal worker: the session below is started and never polled
    const started = await postJson(`${system.baseUrl}/internal/ai/coachnova/events`, { type: 'check_in', worker_id: world.worker2.id, score: 7 }, operator());
    expect(started.status).toBe(202);
    const view = await getJson(`${system.baseUrl}/internal/ai/coachnova/workers/${world.worker2.id}`, operator());
    expect(view.status).toBe(200);
    await system.client.workflow.getHandle(started.body.workflow_id).terminate('test over');
  });

  it('refuses report bounds outside 2000–2099 (a year 0000 was accepted and echoed back)', async () => {
    for (const query of ['from=0000-01-01T00:00:00Z', 'to=9999-12-31', 'from=1999-12-31']) {
      const res = await getJson(`${system.baseUrl}/internal/analytics/smartengage?${query}`, operator());
      expect({ query, status: res.status }).toEqual({ query, status: 422 });
    }
    expect((await getJson(`${system.baseUrl}/internal/analytics/smartengage?from=2026-01-01&to=2026-12-01`, operator())).status).toBe(200);
  });

  it('labels a 401 from the /internal guard with the route template, not "unmatched"', async () => {
    const job = randomUUID();
    expect((await getJson(`${system.baseUrl}/internal/ai/smartengage/jobs/${job}`)).status).toBe(401);
    expect((await getJson(`${system.baseUrl}/internal/no-such-thing-${randomUUID()}`)).status).toBe(401);
    const metric = (await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === 'http_request_duration_seconds');
    const unauthorized = (metric?.values ?? []).filter((v) => v.labels.status === '401').map((v) => String(v.labels.route));
    expect(unauthorized).toContain('/internal/ai/smartengage/jobs/:job_id');
    expect(unauthorized).toContain('/internal/*');
    expect(unauthorized.filter((l) => l.includes(job) || l.includes('no-such-thing'))).toEqual([]);
  });
});
