import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { resolveTemporalCli, startDevServer } from '../../src/temporal/dev-server';
import { eventually } from '../helpers/wait';

/**
 * `startDevServer` as `npm start`, the benchmarks and the test setup use it: a file-backed
 * server keeps its runs across a restart, and a CLI that fails to serve is reported with its own
 * output, its process gone.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dev-server-test-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in `temporal` binary: a shell script that behaves badly in one way. */
function fakeCli(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a Temporal CLI that does not serve', () => {
  it('names the missing binary and how to install it', () => {
    const path = join(dir, 'no-such-temporal');
    expect(() => resolveTemporalCli(path)).toThrow(`Temporal CLI not found at ${path}: run "npm run temporal:install" or set TEMPORAL_CLI_PATH`);
  });

  it('reports a CLI that exits at start with its exit code and what it printed', async () => {
    const cli = fakeCli('exits', 'echo "unknown flag: --dynamic-config-value" >&2\nexit 3');
    const error = await startDevServer({ cliPath: cli, headless: true, port: 1 }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^temporal dev server exited with code 3\nunknown flag: --dynamic-config-value$/);
  });

  it('gives up on a CLI that never answers after startTimeoutMs, and kills it', async () => {
    const pidFile = join(dir, 'hangs.pid');
    const cli = fakeCli('hangs', `echo $$ > ${pidFile}\necho "starting"\nexec sleep 60`);
    const error = await startDevServer({ cliPath: cli, headless: true, startTimeoutMs: 1500 }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^temporal dev server not ready at 127\.0\.0\.1:\d+ after 1500 ms: .*\nstarting$/s);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await eventually(async () => !alive(pid), 10_000);
  });
});

describe('a file-backed dev server with the Web UI', () => {
  it('sets the retention, serves the UI, and keeps runs across a restart on the same file', async () => {
    const dbFile = join(dir, 'state', 'temporal.db');
    const options = { dbFile, retention: '48h', uiCodecEndpoint: 'http://127.0.0.1:1/codec', sqlitePragmas: { synchronous: 'FULL' } };
    const workflowId = `survives-${randomUUID()}`;

    const first = await startDevServer(options);
    try {
      expect(existsSync(dbFile)).toBe(true);
      expect(first.uiUrl).toMatch(/^http:\/\/localhost:\d+$/);
      await eventually(async () => (await fetch(first.uiUrl!)).ok, 20_000, 250);
      const connection = await Connection.connect({ address: first.address });
      try {
        const { config } = await connection.workflowService.describeNamespace({ namespace: first.namespace });
        expect(Number(config?.workflowExecutionRetentionTtl?.seconds)).toBe(48 * 3600);
        await new Client({ connection, namespace: first.namespace }).workflow.start('reengageCustomer', { workflowId, taskQueue: 'nobody', args: [{}] });
      } finally {
        await connection.close();
      }
    } finally {
      await first.stop();
    }
    expect(alive(first.pid)).toBe(false);

    const second = await startDevServer({ dbFile, headless: true });
    try {
      expect(second.uiUrl).toBeUndefined();
      const connection = await Connection.connect({ address: second.address });
      try {
        const description = await new Client({ connection, namespace: second.namespace }).workflow.getHandle(workflowId).describe();
        expect(description.status.name).toBe('RUNNING');
      } finally {
        await connection.close();
      }
    } finally {
      await second.stop();
    }
  });
});
