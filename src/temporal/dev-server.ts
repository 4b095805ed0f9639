import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { projectRoot } from '../runtime/project-root';
import { stopChild } from '../runtime/stop-child';
import { searchAttributeFlags } from './search-attributes';

export interface DevServerOptions {
  cliPath?: string;
  /** SQLite file that keeps state across restarts; in memory when absent. */
  dbFile?: string;
  port?: number;
  uiPort?: number;
  headless?: boolean;
  namespace?: string;
  /** Search attributes to register at start (default: all the project sets; tests leave some out). */
  searchAttributes?: string[];
  dynamicConfig?: Record<string, unknown>;
  /** Retention for closed runs (the dev server's own default is 24 h). */
  retention?: string;
  /** SQLite pragmas for the file store, over the defaults (WAL, synchronous=NORMAL); benchmarks use synchronous=OFF. */
  sqlitePragmas?: Record<string, string>;
  /** The payload codec endpoint the Web UI decrypts payloads through (`<api>/codec`). */
  uiCodecEndpoint?: string;
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  namespace: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Dev-server settings measured with the bench floor (bench/README.md): eager activity dispatch
 * hands an activity to the worker in the answer to the workflow task that scheduled it (no
 * matching round trip; about a quarter less server CPU per activity), and the search-attribute
 * cache stays on (the CLI turns it off so attributes added at run time show at once; ours are
 * all registered at start-up, see search-attributes.ts).
 */
export const THROUGHPUT_DYNAMIC_CONFIG: Record<string, unknown> = {
  'system.enableActivityEagerExecution': true,
  'system.forceSearchAttributesCacheRefreshOnRead': false,
};

/** The Temporal CLI binary: TEMPORAL_CLI_PATH, else the project's own `.tools/bin/temporal`. */
export function resolveTemporalCli(explicit = process.env.TEMPORAL_CLI_PATH): string {
  const candidate = explicit ?? resolve(projectRoot(), '.tools/bin/temporal');
  if (!existsSync(candidate)) {
    throw new Error(`Temporal CLI not found at ${candidate}: run "npm run temporal:install" or set TEMPORAL_CLI_PATH`);
  }
  return candidate;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function waitUntilServing(address: string, namespace: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal dev server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`temporal dev server not ready at ${address} after ${timeoutMs} ms: ${String(lastError)}`);
}

async function setRetention(address: string, namespace: string, retention: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.updateNamespace({
      namespace,
      config: { workflowExecutionRetentionTtl: msToTs(retention) },
    });
  } finally {
    await connection.close();
  }
}

/**
 * Starts `temporal server start-dev` with the project's search attributes and waits (with our
 * own loop, not the SDK's 5-second limit) until the namespace answers.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cli = resolveTemporalCli(options.cliPath);
  const namespace = options.namespace ?? 'default';
  const port = options.port ?? (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', namespace, '--log-level', 'warn'];
  args.push(...searchAttributeFlags(options.searchAttributes));
  if (options.headless) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort ?? (await freePort())));
  if (options.uiCodecEndpoint && !options.headless) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFile) {
    mkdirSync(dirname(options.dbFile), { recursive: true });
    const pragmas = { journal_mode: 'WAL', synchronous: 'NORMAL', ...options.sqlitePragmas };
    args.push('--db-filename', options.dbFile);
    for (const [name, value] of Object.entries(pragmas)) args.push('--sqlite-pragma', `${name}=${value}`);
  }
  for (const [key, value] of Object.entries({ ...THROUGHPUT_DYNAMIC_CONFIG, ...options.dynamicConfig })) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // The server must not outlive us, even when start-up of the rest of the system fails.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const recent: string[] = [];
  const log = options.log ?? (() => undefined);
  const onOutput = (d: Buffer) => {
    const text = d.toString();
    recent.push(text);
    if (recent.length > 20) recent.shift();
    log(text);
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(address, namespace, child, options.startTimeoutMs ?? 60_000);
    if (options.retention) await setRetention(address, namespace, options.retention);
  } catch (error) {
    child.kill('SIGKILL');
    const output = recent.join('').trim();
    throw new Error(`${error instanceof Error ? error.message : String(error)}${output ? `\n${output}` : ''}`);
  }
  const uiPort = args[args.indexOf('--ui-port') + 1];
  return {
    address,
    namespace,
    pid: child.pid!,
    uiUrl: options.headless ? undefined : `http://localhost:${uiPort}`,
    stop: () => stopChild(child),
  };
}
