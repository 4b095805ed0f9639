import { DefaultLogger, Runtime } from '@temporalio/worker';

/**
 * The SDK logs every worker state change at INFO; tests show only warnings unless
 * TEST_TEMPORAL_LOG_LEVEL asks for more. Jest gives each file a fresh module registry, hence a
 * fresh Runtime to install; where one is already installed it is kept. Tests that provoke
 * failures on purpose (the fast workflow tests) ask for ERROR: the SDK warns of each one.
 */
export function quietTemporalRuntime(quietest: 'WARN' | 'ERROR' = 'WARN'): void {
  const level = (process.env.TEST_TEMPORAL_LOG_LEVEL ?? quietest) as 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  try {
    // the native core logs (e.g. a task completed after its run was terminated) at the same level
    Runtime.install({ logger: new DefaultLogger(level), telemetryOptions: { logging: { filter: { core: level, other: 'ERROR' } } } });
  } catch {
    /* already installed in this module registry */
  }
}
