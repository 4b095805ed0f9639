import { deleteFuzzSchedules, Fuzzer, formatReport } from '../../fuzz/engine';
import { createWorld, type World } from '../../fuzz/world';
import { startTestSystem, type TestSystem } from '../helpers/system';

/**
 * `npm run fuzz` at small size: every operation of the OpenAPI document, valid and hostile
 * requests from a fixed seed (a few hundred in all), no worker (nothing a request starts runs),
 * campaigns over criteria that match nobody and schedules created paused (deleted afterwards).
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
