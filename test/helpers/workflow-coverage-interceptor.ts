import { proxySinks, workflowInfo, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

/**
 * Bundled into the instrumented test bundle (test/global-setup.ts, under --coverage only): after
 * each activation the workflow's istanbul counts go out through the `coverage` sink and are
 * cleared. Like @temporalio/nyc-test-coverage's interceptor, but silent while replaying: replay
 * workers register no sinks, and replayed code is counted when the history was recorded.
 */
interface CoverageSinks extends Sinks {
  coverage: { merge(data: unknown): void };
}
const { coverage } = proxySinks<CoverageSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  internals: [
    {
      concludeActivation(input, next) {
        const counts = (globalThis as any).__coverage__ as Record<string, { s: Record<string, number>; f: Record<string, number>; b: Record<string, number[]> }> | undefined;
        if (counts && !workflowInfo().unsafe.isReplaying) {
          coverage.merge(JSON.parse(JSON.stringify(counts)));
          for (const file of Object.values(counts)) {
            for (const k of Object.keys(file.s)) file.s[k] = 0;
            for (const k of Object.keys(file.f)) file.f[k] = 0;
            for (const k of Object.keys(file.b)) file.b[k] = file.b[k].map(() => 0);
          }
        }
        return next(input);
      },
    },
  ],
});
