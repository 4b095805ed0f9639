import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { cpuSeconds } from './processes';

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = values.map(Number);
  const idle = n[3] + n[4];
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export interface CpuWindow {
  wallSeconds: number;
  /** CPU seconds each named process used in the window. */
  processes: Record<string, number>;
  /** CPU seconds of this bench process (SMTP sink, LLM server, load generator, plain loop). */
  bench: number;
  /** Share of the whole machine busy in the window (all processes, other users' included), 0..1. */
  machineBusy: number;
  /** Cores' worth of CPU that processes outside this measurement used (other engineers' runs). */
  othersCores: number;
  /** The machine's 1-minute load average when the window opened. */
  loadAverage: number;
}

/**
 * Accounts CPU over a window: for the processes under test, for this process, and for the
 * machine, so a slow figure can be told apart from a machine busy with someone else's work.
 */
export function startCpuWindow(pids: Record<string, number>): (measuredElsewhere?: Record<string, number>) => CpuWindow {
  const start = { load: loadavg()[0], wall: Date.now(), machine: machineTicks(), bench: process.cpuUsage(), procs: Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)])) };
  // `measuredElsewhere`: CPU seconds of processes not known by pid at the start (PostgreSQL's
  // backends, postgres-cpu.ts), counted as ours rather than as other users' work
  return (measuredElsewhere = {}) => {
    const wallSeconds = (Date.now() - start.wall) / 1000;
    const machine = machineTicks();
    const bench = process.cpuUsage(start.bench);
    const processes = { ...Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, Math.round((cpuSeconds(pid) - start.procs[k]) * 100) / 100])), ...measuredElsewhere };
    const benchSeconds = Math.round(((bench.user + bench.system) / 1e6) * 100) / 100;
    const busy = machine.busy - start.machine.busy;
    const total = machine.total - start.machine.total;
    const ours = Object.values(processes).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0) + benchSeconds;
    return {
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      processes,
      bench: benchSeconds,
      machineBusy: total > 0 ? Math.round((busy / total) * 100) / 100 : Number.NaN,
      othersCores: Math.round((Math.max(0, busy / 100 - ours) / Math.max(wallSeconds, 0.001)) * 100) / 100,
      loadAverage: Math.round(start.load * 100) / 100,
    };
  };
}

/**
 * Waits until a process has been nearly idle (under `maxCores` over 2 s), at most `timeoutMs`;
 * returns how long it waited. Used before a latency scenario so the backlog of the previous one
 * (e.g. hundreds of campaigns started by the run-segment load) does not count against it.
 */
export async function waitUntilIdle(pid: number, maxCores = 0.15, timeoutMs = 180_000): Promise<number> {
  const started = Date.now();
  let before = cpuSeconds(pid);
  while (Date.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 2000));
    const now = cpuSeconds(pid);
    if (!Number.isFinite(now) || (now - before) / 2 < maxCores) break;
    before = now;
  }
  return Date.now() - started;
}
