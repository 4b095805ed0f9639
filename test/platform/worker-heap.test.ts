import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
import { projectRoot } from '../../src/runtime/project-root';
import { appliedMaxOldSpaceMb, DEFAULT_WORKER_MAX_OLD_SPACE_MB, workerMaxOldSpaceMb, workerNodeOptions } from '../../src/runtime/worker-heap';
import { freePort } from '../../src/temporal/dev-server';

/**
 * The worker's heap cap has one definition (src/runtime/worker-heap.ts): `npm run worker` and
 * `npm start` go through the launcher that applies it, and the worker process they start really
 * runs with V8's limit for that cap (read back from its own /metrics).
 */
const root = projectRoot();
const scripts: Record<string, string> = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
const scratch = mkdtempSync(join(tmpdir(), 'worker-heap-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** heap_size_limit of a bare Node process started with these flags: what a capped process must report. */
function heapLimitWith(flags: string[]): number {
  const probe = spawnSync(process.execPath, [...flags, '-p', 'require("v8").getHeapStatistics().heap_size_limit'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  return Number(probe.stdout.trim());
}

/** The environment of the test process without anything that would set the heap by another way. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _ignored, WORKER_MAX_OLD_SPACE_MB: _default, ...env } = process.env;
  return { ...env, ...extra };
}

/** Every live process below `pid` (Linux /proc), so nothing this file starts outlives it. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parents) if (ppid === parent) found.push(child), walk(child);
  };
  walk(pid);
  return found;
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

describe('the definition', () => {
  it('caps at 384 MB unless WORKER_MAX_OLD_SPACE_MB says otherwise; 0 leaves V8 its own limit', () => {
    expect(DEFAULT_WORKER_MAX_OLD_SPACE_MB).toBe(384);
    expect(workerNodeOptions({})).toBe('--max-old-space-size=384');
    expect(workerNodeOptions({ WORKER_MAX_OLD_SPACE_MB: '512' })).toBe('--max-old-space-size=512');
    expect(workerMaxOldSpaceMb({ WORKER_MAX_OLD_SPACE_MB: '0' })).toBeUndefined();
    expect(workerNodeOptions({ WORKER_MAX_OLD_SPACE_MB: '0', NODE_OPTIONS: '--max-old-space-size=4096' })).toBe('');
    expect(() => workerNodeOptions({ WORKER_MAX_OLD_SPACE_MB: 'lots' })).toThrow(/WORKER_MAX_OLD_SPACE_MB/);
    expect(loadConfig({ NODE_ENV: 'test' }).WORKER_MAX_OLD_SPACE_MB).toBe(DEFAULT_WORKER_MAX_OLD_SPACE_MB);
    expect(() => loadConfig({ NODE_ENV: 'test', WORKER_MAX_OLD_SPACE_MB: '-1' })).toThrow(/WORKER_MAX_OLD_SPACE_MB/);
  });

  it("keeps the caller's other NODE_OPTIONS and replaces their heap size", () => {
    expect(workerNodeOptions({ NODE_OPTIONS: '--enable-source-maps --max_old_space_size=2048' })).toBe('--enable-source-maps --max-old-space-size=384');
    expect(appliedMaxOldSpaceMb([], '--enable-source-maps --max-old-space-size=384')).toBe(384);
    // the command line wins over NODE_OPTIONS, as in Node
    expect(appliedMaxOldSpaceMb(['--max-old-space-size=200'], '--max-old-space-size=384')).toBe(200);
    expect(appliedMaxOldSpaceMb([], '')).toBeUndefined();
  });
});

describe('the launchers', () => {
  it('npm run worker and npm start start their entry point through the launcher that applies it', () => {
    expect(scripts.worker).toBe('node --import tsx src/with-worker-heap.ts src/worker.ts');
    expect(scripts.start).toBe('node --import tsx src/with-worker-heap.ts src/start.ts');
  });

  it('docker-compose.yml deploys the worker with the same options', () => {
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
    expect(compose.services.worker.environment.NODE_OPTIONS).toBe(workerNodeOptions({}));
  });

  it('the launcher gives its entry point the configured cap and passes its exit code on', () => {
    const entry = join(scratch, 'probe.js');
    writeFileSync(entry, 'console.log(require("v8").getHeapStatistics().heap_size_limit); process.exit(7)');
    const run = (extra: Record<string, string>) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/with-worker-heap.ts'), entry], { cwd: root, encoding: 'utf8', env: cleanEnv(extra) });
    const configured = run({ WORKER_MAX_OLD_SPACE_MB: '320' });
    expect(configured.status).toBe(7);
    expect(Number(configured.stdout.trim())).toBe(heapLimitWith(['--max-old-space-size=320']));
    expect(Number(run({ WORKER_MAX_OLD_SPACE_MB: '0' }).stdout.trim())).toBe(heapLimitWith([]));
  });
});

describe('npm run worker', () => {
  let npm: ChildProcess | undefined;
  /** npm's process tree once the worker is up: a detached worker outlives npm, so it is killed by pid. */
  let started: number[] = [];
  let output = '';
  afterAll(async () => {
    if (!npm) return;
    const below = [...started, ...descendants(npm.pid!)];
    if (npm.exitCode === null) npm.kill('SIGKILL');
    for (const pid of below) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('runs the worker with the heap limit of the default cap, shown on its /metrics, and stops on SIGTERM', async () => {
    const metricsPort = await freePort();
    npm = spawn('npm', ['run', '--silent', 'worker'], {
      cwd: root,
      env: cleanEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        SECRETS_FILE: join(scratch, 'secrets.json'),
        DATABASE_URL: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
        TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
        TEMPORAL_TASK_QUEUE: `worker-heap-${randomBytes(4).toString('hex')}`,
        TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: 'true',
        WORKER_METRICS_PORT: String(metricsPort),
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    npm.stdout!.on('data', (chunk) => (output += chunk));
    npm.stderr!.on('data', (chunk) => (output += chunk));

    // the worker serves /metrics once it polls (bundling the workflows takes a while on a busy machine)
    let metrics = '';
    for (let attempt = 0; !metrics && attempt < 480 && npm.exitCode === null; attempt++) {
      metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((res) => res.text(), () => '');
      if (!metrics) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect({ metrics: metrics.length > 0, output: metrics ? '' : output }).toEqual({ metrics: true, output: '' });
    const limit = Number(metrics.match(/^nodejs_heap_size_limit_bytes (\d+)$/m)?.[1]);
    expect(limit).toBe(heapLimitWith([`--max-old-space-size=${DEFAULT_WORKER_MAX_OLD_SPACE_MB}`]));
    expect(output).not.toMatch(/without the heap cap/);

    // npm itself exits on SIGTERM without passing it on; a terminal's Ctrl-C or a process
    // manager signals the process npm started: the launcher, which relays it to the worker
    started = descendants(npm.pid!);
    const launcher = started.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('src/with-worker-heap.ts'));
    expect(launcher).toBeDefined();
    process.kill(launcher!, 'SIGTERM');
    expect(await exited(npm)).toBe(0);
    expect(output).toMatch(/"signal":"SIGTERM","msg":"shutting down"/);
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  }, 300_000);
});
