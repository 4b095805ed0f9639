import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../src/temporal/dev-server';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the chaos suite's own (initdb into `dir`, trust auth, a free port), so
 * the suite can restart it and terminate its connections without touching the server on 5432
 * that everyone else's tests use. Debian's binaries under /usr/lib/postgresql/<version>/bin.
 * initdb and postgres refuse to run as root: as root the cluster belongs to the `postgres` user.
 */
export interface PrivatePostgres {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database: string): string;
  /**
   * Fast shutdown, `downMs` without a server, start again; resolves once it accepts connections.
   * `stoppingAt`: the shutdown began (from then on it refuses new connections and ends the open
   * ones; its checkpoint takes seconds on a busy machine); `stoppedAt`: the server is gone.
   */
  restart(downMs: number): Promise<{ stoppingAt: number; stoppedAt: number; readyAt: number }>;
  stop(): Promise<void>;
  /** Immediate shutdown, synchronously (for a process exiting in a hurry). */
  stopNow(): void;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin/initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  return join(root, versions[0], 'bin');
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL binary as the cluster's owner: `postgres` when we are root, else ourselves. */
function asOwner(binary: string, args: string[]): Promise<{ stdout: string }> {
  return isRoot() ? run('runuser', ['-u', 'postgres', '--', binary, ...args]) : run(binary, args);
}

export async function startPrivatePostgres(dir: string): Promise<PrivatePostgres> {
  const bin = binDir();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (isRoot()) {
    await run('chown', ['postgres:postgres', dir]);
    chmodSync(dir, 0o700);
  }
  const data = join(dir, 'data');
  await asOwner(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    // Temporal (persistence 20 + visibility 4 per server), 2 APIs and up to 5 workers at 10 each
    '-c max_connections=300',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ');
  const log = join(dir, 'postgres.log');
  const start = () => asOwner(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-o', options, '-w', '-t', '120', 'start']);
  await start();
  return {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async restart(downMs) {
      const stoppingAt = Date.now();
      await asOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      const stoppedAt = Date.now();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
      return { stoppingAt, stoppedAt, readyAt: Date.now() };
    },
    stopNow() {
      if (!existsSync(join(data, 'postmaster.pid'))) return;
      const args = ['-D', data, '-m', 'immediate', '-w', 'stop'];
      try {
        if (isRoot()) execFileSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args], { stdio: 'ignore' });
        else execFileSync(join(bin, 'pg_ctl'), args, { stdio: 'ignore' });
      } catch {
        // already stopped
      }
    },
    async stop() {
      await asOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
