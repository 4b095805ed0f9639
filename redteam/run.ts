import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { createLogger } from '../src/lib/logger';
import { startDevServer } from '../src/temporal/dev-server';
import { installTemporalLogging } from '../src/temporal/runtime-logging';
import { startOpenAiServer } from '../test/helpers/openai-server';
import { loadCases } from './cases';
import { MAX_FALSE_REJECTION_RATE } from './limits';
import { formatSummary, runCases, startRedTeamWorker, summarise } from './suite';

/**
 * `npm run redteam`: every case in redteam/cases through the real compose path, on its own
 * Temporal dev server, an in-memory PGlite database and the local OpenAI-compatible server.
 * Prints caught / missed per category and the false-rejection rate, writes redteam/results.json,
 * and exits non-zero when an unsafe case got through or more than 2 % of clean ones were rejected.
 */

async function main(): Promise<void> {
  const cases = loadCases();
  // the worker's own state lines would bury the figures; warnings and errors still show
  installTemporalLogging(createLogger('warn'));
  const server = await startDevServer({ headless: true });
  const db = await createDatabase({ pgliteDir: 'memory://' });
  const llm = await startOpenAiServer();
  try {
    await migrateToLatest(db);
    const harness = await startRedTeamWorker({ address: server.address, db, llm });
    try {
      const started = Date.now();
      const outcomes = await runCases(harness, llm, cases);
      const summary = summarise(outcomes);
      console.log(formatSummary(summary));
      console.log(`\n(${cases.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
      const file = resolve(__dirname, 'results.json');
      writeFileSync(file, `${JSON.stringify({ summary, outcomes }, null, 1)}\n`);
      console.log(`results: ${file}`);
      for (const o of outcomes.filter((x) => x.verdict === 'missed' || x.verdict === 'false_rejection')) {
        console.log(`  ${o.verdict}: ${o.id} → sent ${o.sent}${o.rejectedBy.length ? ` (${o.rejectedBy.map((r) => `${r.name}: ${r.detail}`).join('; ')})` : ''}${o.error ? ` (${o.error})` : ''}`);
      }
      if (summary.unsafe.missed > 0 || summary.clean.falseRejectionRate > MAX_FALSE_REJECTION_RATE) process.exitCode = 1;
    } finally {
      await harness.stop();
    }
  } finally {
    await llm.close();
    await db.destroy();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
