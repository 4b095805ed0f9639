import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startDevServer } from '../src/temporal/dev-server';
import { startTestSystem } from '../test/helpers/system';
import { deleteFuzzSchedules, formatReport, Fuzzer } from './engine';
import { createWorld } from './world';

/**
 * `npm run fuzz [-- --runs 200 --seed 42 --route 'POST /bookings' --raw 300 --no-shrink --out file]`:
 * the fuzzer at large size against the real API on its own Temporal dev server and a fresh
 * PostgreSQL schema (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), with no
 * worker: nothing a request starts runs. Prints per-route counts and the status histogram, writes
 * fuzz/results.json, prints the seed, and exits 1 on any violation.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '100' },
      seed: { type: 'string' },
      route: { type: 'string', multiple: true },
      raw: { type: 'string', default: '200' },
      'no-shrink': { type: 'boolean', default: false },
      out: { type: 'string', default: resolve(__dirname, 'results.json') },
    },
  });
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2_147_483_647;
  const runs = Number(values.runs);
  console.log(`fuzz: seed ${seed}, ${runs} runs per route and mode${values.route ? `, routes ${values.route.join(', ')}` : ''}`);

  const server = await startDevServer({ headless: true });
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  const system = await startTestSystem({ worker: false, env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' } });
  try {
    const world = await createWorld(system.db, system.config);
    const doc = await (await fetch(`${system.baseUrl}/openapi.json`)).json();
    const fuzzer = new Fuzzer({ baseUrl: system.baseUrl, doc, world, runs, seed, routes: values.route, rawRuns: Number(values.raw), shrink: !values['no-shrink'] });
    const report = await fuzzer.run();
    await deleteFuzzSchedules(system.client);
    console.log(formatReport(report));
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, `${JSON.stringify(report, null, 1)}\n`);
    console.log(`results: ${values.out}\nseed: ${seed} (reproduce: npm run fuzz -- --seed ${seed} --runs ${runs})`);
    if (report.violations.length > 0) process.exitCode = 1;
  } finally {
    await system.stop();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
