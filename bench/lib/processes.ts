import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { stopChild } from '../../src/runtime/stop-child';
import { sleep } from './stats';

const ROOT = resolve(__dirname, '../..');
export const BENCH_VAR = join(ROOT, 'var/bench');
/** This run's logs, apart from any other bench run on the machine. */
export const LOG_DIR = join(BENCH_VAR, `logs-${process.pid}`);

/** A service process (API, worker) the bench started, with its resident memory sampled. */
export interface ServiceProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Samples VmRSS every `intervalMs` until stopSampling(); returns the peak seen, in bytes. */
  startSampling(intervalMs?: number): void;
  stopSampling(): { peakBytes: number; samples: number };
  /** The kernel's high-water mark of resident memory over the whole process life (VmHWM). */
  highWaterBytes(): number;
  exited(): boolean;
  stop(): Promise<void>;
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs a TypeScript entry point as one Node process (`node --import tsx`, not the tsx CLI, which
 * would add a wrapper process), logs to var/bench/logs/<name>.log.
 */
export function spawnService(name: string, entry: string, env: Record<string, string>): ServiceProcess {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${name}.log`);
  const fd = openSync(logFile, 'w');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const pid = child.pid!;
  let timer: NodeJS.Timeout | undefined;
  let peak = 0;
  let samples = 0;
  const sample = () => {
    peak = Math.max(peak, statusField(pid, 'VmRSS'));
    samples++;
  };
  return {
    name,
    pid,
    logFile,
    startSampling(intervalMs = 200) {
      peak = 0;
      samples = 0;
      sample();
      timer = setInterval(sample, intervalMs);
    },
    stopSampling() {
      if (timer) clearInterval(timer);
      sample();
      return { peakBytes: peak, samples };
    },
    highWaterBytes: () => statusField(pid, 'VmHWM'),
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: () => {
      if (timer) clearInterval(timer);
      return stopChild(child, 15_000);
    },
  };
}

/** CPU time (user + system) a process has used so far, in seconds (Linux clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Throws with the end of its log when a service the scenario relies on has died. */
export function assertRunning(service: ServiceProcess): void {
  if (service.exited()) throw new Error(`${service.name} (pid ${service.pid}) has exited:\n${tail(service.logFile)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

// TaskQueueType values of the Temporal API: 1 workflow, 2 activity.
const TASK_QUEUE_TYPES = [1, 2] as const;

/** Waits until a worker polls `taskQueue` for both workflow and activity tasks. */
export async function waitForWorker(service: ServiceProcess, client: Client, taskQueue: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.exited()) throw new Error(`${service.name} exited during start-up:\n${tail(service.logFile)}`);
    let polling = 0;
    for (const taskQueueType of TASK_QUEUE_TYPES) {
      const answer = await client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue }, taskQueueType });
      if ((answer.pollers ?? []).length > 0) polling++;
    }
    if (polling === TASK_QUEUE_TYPES.length) return;
    await sleep(250);
  }
  throw new Error(`${service.name} did not poll ${taskQueue} within ${timeoutMs} ms:\n${tail(service.logFile)}`);
}

/** Waits until the API answers /health (any status: it is up). */
export async function waitForApi(service: ServiceProcess, baseUrl: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.exited()) throw new Error(`${service.name} exited during start-up:\n${tail(service.logFile)}`);
    try {
      const res = await fetch(`${baseUrl}/health`);
      await res.arrayBuffer();
      return;
    } catch {
      await sleep(250);
    }
  }
  throw new Error(`${service.name} did not answer at ${baseUrl} within ${timeoutMs} ms:\n${tail(service.logFile)}`);
}
