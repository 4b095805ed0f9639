import { getHeapStatistics } from 'node:v8';

/**
 * The worker's V8 old-space cap in MB unless `WORKER_MAX_OLD_SPACE_MB` says otherwise. Uncapped,
 * V8 grows the heap lazily towards a share of the machine's memory before it collects hard: the
 * worker peaked at 1,095 MiB for a 2,500-customer campaign on a 24 GiB machine, 715 MiB under
 * this cap at the same throughput (bench/README.md, scenario 5). V8 flags are process-wide, so
 * the cap holds for the workflow thread's isolate too.
 */
export const DEFAULT_WORKER_MAX_OLD_SPACE_MB = 384;

const FLAG = /^--max[-_]old[-_]space[-_]size=(\d+)$/;

/** The cap this environment asks for, in MB; undefined for `0` (V8's own limit). */
export function workerMaxOldSpaceMb(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.WORKER_MAX_OLD_SPACE_MB?.trim();
  const mb = raw ? Number(raw) : DEFAULT_WORKER_MAX_OLD_SPACE_MB;
  if (!Number.isInteger(mb) || mb < 0) throw new Error(`WORKER_MAX_OLD_SPACE_MB must be a whole number of MB, 0 for V8's own limit (got "${raw}")`);
  return mb === 0 ? undefined : mb;
}

/**
 * NODE_OPTIONS for a process that runs the worker: the caller's own options with the cap
 * appended in place of any `--max-old-space-size` they had. Every launcher uses this — the
 * `npm run worker` / `npm start` launcher, `npm run stack`, the bench; docker-compose.yml carries
 * the default's value, checked by test/platform/compose-in-step.test.ts.
 */
export function workerNodeOptions(env: NodeJS.ProcessEnv = process.env): string {
  const mb = workerMaxOldSpaceMb(env);
  const own = (env.NODE_OPTIONS ?? '').split(/\s+/).filter((option) => option && !FLAG.test(option));
  return [...own, ...(mb ? [`--max-old-space-size=${mb}`] : [])].join(' ');
}

/** The `--max-old-space-size` this process runs with (the command line wins over NODE_OPTIONS). */
export function appliedMaxOldSpaceMb(execArgv: string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): number | undefined {
  const last = (options: string[]) => options.map((option) => option.match(FLAG)?.[1]).filter(Boolean).pop();
  const value = last(execArgv) ?? last(nodeOptions.split(/\s+/));
  return value === undefined ? undefined : Number(value);
}

/**
 * What a starting worker logs: its heap limit, and whether it runs under the configured cap
 * (a bare `tsx src/worker.ts` or `node dist/src/worker.js` without NODE_OPTIONS does not).
 */
export function workerHeapReport(configuredMb: number): { heap_limit_mib: number; max_old_space_mb: number | null; capped_as_configured: boolean } {
  const wanted = configuredMb || undefined;
  const applied = appliedMaxOldSpaceMb();
  return {
    heap_limit_mib: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
    max_old_space_mb: applied ?? null,
    capped_as_configured: applied === wanted,
  };
}
