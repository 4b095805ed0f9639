import type { Pool } from 'pg';
import { cpuSeconds } from './processes';

/**
 * CPU seconds the PostgreSQL backends serving the given databases used over a window. The
 * server is shared (other engineers' tests and benches), so the server's own processes are not
 * counted: only backends whose `pg_stat_activity.datname` is one of ours, read from /proc while
 * they live (sampled every `intervalMs`; a backend that exits between two samples loses its last
 * interval). Connections opened during the window count from zero.
 */
export function samplePostgresCpu(pool: Pool, databases: string[], intervalMs = 1000): { stop(): Promise<number> } {
  const windowStart = new Date();
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let stopped = false;
  const sample = async () => {
    const { rows } = await pool.query<{ pid: number; backend_start: Date }>(`SELECT pid, backend_start FROM pg_stat_activity WHERE datname = ANY($1)`, [databases]);
    for (const { pid, backend_start: started } of rows) {
      const seconds = cpuSeconds(pid);
      if (!Number.isFinite(seconds)) continue;
      if (!first.has(pid)) first.set(pid, started >= windowStart ? 0 : seconds);
      last.set(pid, seconds);
    }
  };
  let running = sample().catch(() => undefined);
  const timer = setInterval(() => {
    if (!stopped) running = running.then(sample).catch(() => undefined);
  }, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await sample().catch(() => undefined);
      let total = 0;
      for (const [pid, seconds] of last) total += seconds - (first.get(pid) ?? seconds);
      return Math.round(total * 100) / 100;
    },
  };
}
