import { proxySinks, workflowInfo, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

/**
 * Bundled into the instrumented test bundle (test/global-setup.ts, under --coverage only): after
 * each activation the workflow's istanbul counts go out through the `coverage` sink and are
 * cleared. Like @temporalio/nyc-test-coverage's interceptor, but lighter and silent while
 * replaying: only files hit in the activation are sent, a file's maps only the first time this
 * worker thread sends it (the collector keeps them), and replay workers register no sinks.
 */
interface FileCounts {
  s: Record<string, number>;
  f: Record<string, number>;
  b: Record<string, number[]>;
}
interface CoverageSinks extends Sinks {
  coverage: { merge(data: Record<string, unknown>): void };
}
const { coverage } = proxySinks<CoverageSinks>();
const mapsSent = new Set<string>();

const hit = (file: FileCounts) => Object.values(file.s).some(Boolean) || Object.values(file.f).some(Boolean) || Object.values(file.b).some((b) => b.some(Boolean));

export const interceptors: WorkflowInterceptorsFactory = () => ({
  internals: [
    {
      concludeActivation(input, next) {
        const all = (globalThis as any).__coverage__ as Record<string, FileCounts> | undefined;
        if (all && !workflowInfo().unsafe.isReplaying) {
          const out: Record<string, unknown> = {};
          for (const [path, file] of Object.entries(all)) {
            if (!hit(file)) continue;
            out[path] = mapsSent.has(path) ? JSON.parse(JSON.stringify({ s: file.s, f: file.f, b: file.b })) : JSON.parse(JSON.stringify(file));
            mapsSent.add(path);
            for (const k of Object.keys(file.s)) file.s[k] = 0;
            for (const k of Object.keys(file.f)) file.f[k] = 0;
            for (const k of Object.keys(file.b)) file.b[k] = file.b[k].map(() => 0);
          }
          if (Object.keys(out).length > 0) coverage.merge(out);
        }
        return next(input);
      },
    },
  ],
});
