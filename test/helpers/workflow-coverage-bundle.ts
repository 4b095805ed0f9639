import { resolve } from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

/**
 * Bundle options that instrument the workflow code under `sourceRoot` with istanbul (the loader
 * of @temporalio/nyc-test-coverage, after swc) and add the interceptor that reports the counts
 * through the `coverage` sink (test/helpers/workflow-coverage.ts). The package's own
 * augmentBundleOptions() only works where Jest's `__coverage__` global exists, which is not the
 * case in global setup, and its interceptor also reports while replaying.
 *
 * The bundler's swc targets es2017, which rewrites `a ?? b` and `a?.b` into conditionals that
 * istanbul counts as two or four branches each, at other positions than the one Jest's swc
 * (es2022, jest.config.js) leaves. A file both load (burnout-score.ts: Jest's unit tests and the
 * session workflow) was then counted twice with different branch maps, and workflow code by a
 * stricter rule than the rest of src/. The instrumented bundle compiles to es2022 like Jest, so a
 * branch is the same branch on both sides. Only this test bundle: the worker's is unchanged.
 */
export function workflowCoverageBundleOptions(sourceRoot: string): Partial<BundleOptions> {
  return {
    workflowInterceptorModules: [resolve(__dirname, 'workflow-coverage-interceptor.ts')],
    webpackConfigHook: (config) => {
      const rules = config.module?.rules ?? [];
      for (const rule of rules) {
        const use = rule && typeof rule === 'object' ? (rule.use as { loader?: string; options?: { jsc?: { target?: string } } } | undefined) : undefined;
        if (use?.loader?.includes('swc-loader') && use.options?.jsc) use.options.jsc.target = 'es2022';
      }
      rules.push({ use: { loader: require.resolve('@temporalio/nyc-test-coverage/lib/loader') }, enforce: 'post', test: /\.ts$/, include: [sourceRoot] });
      return { ...config, module: { ...config.module, rules } };
    },
  };
}
