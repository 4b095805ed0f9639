import type { InjectedSinks } from '@temporalio/worker';

/**
 * Workflow code runs in the worker's sandbox from the bundle that test/global-setup.ts builds,
 * so Jest's own instrumentation never sees it. Under `--coverage` that bundle is instrumented
 * (istanbul, via @temporalio/nyc-test-coverage's loader) and each activation sends its counts
 * through the `coverage` sink registered here; test/helpers/coverage-environment.ts merges
 * them into Jest's coverage when the file's tests are done. Without coverage: no sinks.
 */

/** Per source file: istanbul's file coverage (maps and counts), counts added up across activations. */
export type CollectedCoverage = Record<string, FileCoverageData>;
interface FileCoverageData {
  path: string;
  s: Record<string, number>;
  f: Record<string, number>;
  b: Record<string, number[]>;
  [key: string]: unknown;
}

export const WORKFLOW_COVERAGE_KEY = '__WORKFLOW_COVERAGE__';

export function workflowCoverageEnabled(): boolean {
  return process.env.TEST_WORKFLOW_COVERAGE === '1';
}

/** Adds one activation's counts; a file's maps are the same in every call (one bundle) and kept from the first. */
function collect(data: CollectedCoverage): void {
  const store: CollectedCoverage = ((globalThis as any)[WORKFLOW_COVERAGE_KEY] ??= {});
  for (const [path, file] of Object.entries(data)) {
    const seen = store[path];
    if (!seen) {
      // counts come with their maps the first time a worker thread sends a file
      if (file.statementMap) store[path] = file;
      continue;
    }
    for (const [k, n] of Object.entries(file.s)) seen.s[k] = (seen.s[k] ?? 0) + n;
    for (const [k, n] of Object.entries(file.f)) seen.f[k] = (seen.f[k] ?? 0) + n;
    for (const [k, hits] of Object.entries(file.b)) seen.b[k] = hits.map((n, i) => n + (seen.b[k]?.[i] ?? 0));
  }
}

/** The sinks every worker on the shared bundle registers (the bundle's interceptor calls them). */
export function workflowCoverageSinks(): InjectedSinks<any> {
  if (!workflowCoverageEnabled()) return {};
  return { coverage: { merge: { fn: (_info: unknown, data: CollectedCoverage) => collect(data), callDuringReplay: false } } };
}
