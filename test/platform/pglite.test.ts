import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The embedded default of `npm start`: the same migrations, up and down, and the demo data on
 * PGlite. Runs in a child process (see embedded/pglite-check.ts for why), on a directory like
 * `var/pglite`, so the files PGlite keeps are exercised too.
 */
const run = promisify(execFile);
let report: any;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoktiai-pglite-'));
  const script = join(__dirname, 'embedded', 'pglite-check.ts');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, join(dir, 'db')], { cwd: join(__dirname, '..', '..'), timeout: 120_000 });
  report = JSON.parse(stdout.trim().split('\n').pop()!);
}, 150_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('PGlite (embedded database)', () => {
  it('applies every migration, rolls all of them back, and applies them again', () => {
    expect(report.applied[0]).toBe('0001_initial_schema');
    expect(report.tablesAfterUp).toEqual(expect.arrayContaining(['bookings', 'customers', 'otp_codes', 'services', 'users', 'workers', 'ai_messages']));
    expect([...report.rolledBack].sort()).toEqual([...report.applied].sort());
    expect(report.tablesAfterDown).toEqual([]);
    expect(report.reapplied).toEqual(report.applied);
  });

  it('loads the demo data in a few seconds, and the second time does nothing', () => {
    expect(report.first.seeded).toBe(true);
    expect(report.first.counts.customers).toBe(300);
    expect(report.first.counts.workers).toBe(30);
    expect(report.seedMs).toBeLessThan(10_000);
    expect(report.second).toEqual({ seeded: false, counts: { services: 0, users: 0, customers: 0, workers: 0, bookings: 0 } });
    expect(report.rows).toEqual(report.first.counts);
    console.log(`demo data on PGlite: ${JSON.stringify(report.first.counts)} in ${report.seedMs} ms`);
  });

  it('records a burst of deep-link clicks in one batch statement: a link clicked twice counts twice, one CLICKED, one signal owed', () => {
    expect(report.clicks).toEqual({
      results: [{ firstClick: true, signalOwed: true }, null, { firstClick: false, signalOwed: false }],
      clickCount: 2,
      response: 'CLICKED',
      outboxRows: 1,
    });
  });
});
