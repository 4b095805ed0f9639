import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Client } from '@temporalio/client';
import { projectRoot } from './project-root';
import { stopChild } from './stop-child';

/** A Node process (API, worker) started by a launcher (`npm run stack`, the bench, the chaos suite). */
export interface NodeService {
  name: string;
  pid: number;
  logFile: string;
  child: ChildProcess;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs an entry point as one Node process, its output appended to `logFile`: compiled JavaScript
 * as is, TypeScript through `node --import tsx` (not the tsx CLI, which adds a wrapper process
 * that a SIGKILL would not reach).
 */
export function spawnNodeService(name: string, entry: string, env: Record<string, string>, logFile: string): NodeService {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  const args = entry.endsWith('.ts') ? ['--import', 'tsx', entry] : ['--enable-source-maps', entry];
  const child = spawn(process.execPath, args, { cwd: projectRoot(), env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return {
    name,
    pid: child.pid!,
    logFile,
    child,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: (graceMs = 30_000) => stopChild(child, graceMs),
  };
}

export function tailOf(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

interface Watched {
  name: string;
  logFile: string;
  exited(): boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// TaskQueueType values of the Temporal API: 1 workflow, 2 activity.
const TASK_QUEUE_TYPES = [1, 2] as const;

/** Waits until at least `pollers` worker identities poll `taskQueue` for both workflow and activity tasks. */
export async function waitForWorker(service: Watched, client: Client, taskQueue: string, timeoutMs = 120_000, pollers = 1): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.exited()) throw new Error(`${service.name} exited during start-up:\n${tailOf(service.logFile)}`);
    let polling = 0;
    for (const taskQueueType of TASK_QUEUE_TYPES) {
      const answer = await client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue }, taskQueueType });
      if ((answer.pollers ?? []).length >= pollers) polling++;
    }
    if (polling === TASK_QUEUE_TYPES.length) return;
    await sleep(250);
  }
  throw new Error(`${service.name} did not poll ${taskQueue} within ${timeoutMs} ms:\n${tailOf(service.logFile)}`);
}

/** Waits until the API answers /health (any status: it is up). */
export async function waitForApi(service: Watched, baseUrl: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.exited()) throw new Error(`${service.name} exited during start-up:\n${tailOf(service.logFile)}`);
    try {
      const res = await fetch(`${baseUrl}/health`);
      await res.arrayBuffer();
      return;
    } catch {
      await sleep(250);
    }
  }
  throw new Error(`${service.name} did not answer at ${baseUrl} within ${timeoutMs} ms:\n${tailOf(service.logFile)}`);
}
