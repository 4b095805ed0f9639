import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnNodeService, tailOf, waitForApi, waitForWorker } from '../../src/runtime/node-service';

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
  /** A worker's own /metrics (heap breakdown, heap limit), when it serves one. */
  metricsUrl?: string;
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

/** Runs a TypeScript entry point as one Node process, logging to var/bench/logs-<pid>/<name>.log. */
export function spawnService(name: string, entry: string, env: Record<string, string>): ServiceProcess {
  const service = spawnNodeService(name, resolve(ROOT, entry), env, join(LOG_DIR, `${name}.log`));
  const { pid } = service;
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
    logFile: service.logFile,
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
    exited: service.exited,
    stop: () => {
      if (timer) clearInterval(timer);
      return service.stop(15_000);
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
  if (service.exited()) throw new Error(`${service.name} (pid ${service.pid}) has exited:\n${tailOf(service.logFile)}`);
}

export { waitForApi, waitForWorker };
