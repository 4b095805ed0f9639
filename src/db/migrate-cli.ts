import { loadConfig } from '../config';
import { exitWithError } from '../runtime/process';
import { createDatabase } from './database';
import { migrateDown, migrateToEmpty, migrateToLatest } from './migrate';

/** `npm run migrate` applies pending migrations; `-- down` rolls back one; `-- reset` rolls back all. */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = await createDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
  try {
    const direction = process.argv[2] ?? 'up';
    const run = { up: migrateToLatest, down: migrateDown, reset: migrateToEmpty }[direction];
    if (!run) throw new Error(`unknown direction "${direction}": use up, down or reset`);
    const names = await run(db);
    console.log(names.length ? `${direction}: ${names.join(', ')}` : `${direction}: nothing to do`);
  } finally {
    await db.destroy();
  }
}

void main().catch(exitWithError);
