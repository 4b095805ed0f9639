import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDevServer } from '../src/temporal/dev-server';
import { bundleWorkflows } from '../src/temporal/worker-factory';
import { ensureConsoleBuilt } from '../src/console/build';
import { workflowCoverageBundleOptions } from './helpers/workflow-coverage-bundle';

/**
 * One Temporal dev server and one workflow bundle for the whole run (not one per file, and
 * not the SDK's auto-start with its 5-second limit). Test files find both through env vars.
 */
export default async function globalSetup(globalConfig: { collectCoverage?: boolean }): Promise<void> {
  const root = resolve(__dirname, '..');
  // the console's browser tests need its build; cheap when it is fresh
  ensureConsoleBuilt();
  // under --coverage the bundle is instrumented too, so workflow code is measured (test/README.md)
  if (globalConfig.collectCoverage) process.env.TEST_WORKFLOW_COVERAGE = '1';
  if (!process.env.TEMPORAL_CLI_PATH) {
    execFileSync('bash', [join(root, 'scripts/install-temporal-cli.sh')], { stdio: 'inherit' });
  }
  const server = await startDevServer({
    headless: true,
    // continue-as-new is suggested early so tests exercise it with few events
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60 },
  });
  (globalThis as any).__TEMPORAL_DEV_SERVER__ = server;
  process.env.TEST_TEMPORAL_ADDRESS = server.address;

  const bundle = await bundleWorkflows(globalConfig.collectCoverage ? workflowCoverageBundleOptions(join(root, 'src')) : {});
  const dir = join(root, 'var/test');
  mkdirSync(dir, { recursive: true });
  const codePath = join(dir, `workflow-bundle-${process.pid}.js`);
  writeFileSync(codePath, bundle.code);
  process.env.TEST_WORKFLOW_BUNDLE = codePath;
  process.env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
}
