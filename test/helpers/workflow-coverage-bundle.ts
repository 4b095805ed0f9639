import { resolve } from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

/**
 * Bundle options that instrument the workflow code under `sourceRoot` with istanbul (the loader
 * of @temporalio/nyc-test-coverage, after swc) and add the interceptor that reports the counts
 * through the `coverage` sink (test/helpers/workflow-coverage.ts). The package's own
 * augmentBundleOptions() only works where Jest's `__coverage__` global exists, which is not the
 * case in global setup, and its interceptor also reports while replaying.
 */
export function workflowCoverageBundleOptions(sourceRoot: string): Partial<BundleOptions> {
  return {
    workflowInterceptorModules: [resolve(__dirname, 'workflow-coverage-interceptor.ts')],
    webpackConfigHook: (config) => {
      const rules = config.module?.rules ?? [];
      rules.push({ use: { loader: require.resolve('@temporalio/nyc-test-coverage/lib/loader') }, enforce: 'post', test: /\.ts$/, include: [sourceRoot] });
      return { ...config, module: { ...config.module, rules } };
    },
  };
}
