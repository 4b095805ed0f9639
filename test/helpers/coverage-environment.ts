import { TestEnvironment } from 'jest-environment-node';
import type { Circus } from '@jest/types';
import { WORKFLOW_COVERAGE_KEY, type CollectedCoverage } from './workflow-coverage';

/* eslint-disable @typescript-eslint/no-require-imports */
const libCoverage = require('istanbul-lib-coverage');
const libSourceMaps = require('istanbul-lib-source-maps');

/**
 * Jest's node environment plus the workflow coverage: when a file's tests and hooks are done
 * (workers shut down), the counts the instrumented bundle reported are merged into the file's
 * `__coverage__`, which Jest then collects. Both sides are mapped back to the TypeScript sources
 * first: Jest's (swc + babel-plugin-istanbul) and the bundle's (swc-loader + istanbul) transforms
 * differ, and a file both load (src/core/local-time.ts) can only be merged in source positions.
 */
export default class CoverageEnvironment extends TestEnvironment {
  async handleTestEvent(event: Circus.Event): Promise<void> {
    if (event.name !== 'run_finish' || process.env.TEST_WORKFLOW_COVERAGE !== '1') return;
    const global = this.global as unknown as Record<string, unknown>;
    const jestSide = global.__coverage__ as object | undefined;
    const workflowSide = global[WORKFLOW_COVERAGE_KEY] as CollectedCoverage | undefined;
    if (!jestSide && !workflowSide) return;
    const store = libSourceMaps.createSourceMapStore();
    const merged = await store.transformCoverage(libCoverage.createCoverageMap(jestSide ?? {}));
    if (workflowSide) merged.merge(await store.transformCoverage(libCoverage.createCoverageMap(workflowSide)));
    global.__coverage__ = JSON.parse(JSON.stringify(merged)); // plain file coverage objects, as Jest expects
    delete global[WORKFLOW_COVERAGE_KEY];
  }
}
