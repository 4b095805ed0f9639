import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { loadConfig, publicBaseUrl, type Config } from './config';
import { seedDemoDataIfEmpty } from './db/demo-data';
import { migrateToLatest } from './db/migrate';
import { startApi } from './api/server';
import { ensureConsoleBuilt } from './console/build';
import { describeDependencies, openDependencies, type Dependencies } from './runtime/dependencies';
import { exitWithError, runUntilSignalled } from './runtime/process';
import { projectRoot } from './runtime/project-root';
import { startTracingFromConfig } from './runtime/tracing';
import { ensureDailySchedule } from './temporal/clients/cadence-schedule';
import { connectClient, temporalTarget } from './temporal/client';
import { freePort, startDevServer, type DevServer } from './temporal/dev-server';
import { startWorker } from './worker';

const ROOT = projectRoot();
/** Closed runs stay visible in the UI for a month instead of the dev server's 24 hours. */
const DEV_RETENTION = '720h';
const PREFERRED_TEMPORAL_PORT = 7233;

/** The Temporal CLI, built into .tools/bin on first use unless TEMPORAL_CLI_PATH names one. */
function ensureTemporalCli(config: Config): void {
  if (config.TEMPORAL_CLI_PATH && existsSync(config.TEMPORAL_CLI_PATH)) return;
  execFileSync('bash', [resolve(ROOT, 'scripts/install-temporal-cli.sh')], { stdio: 'inherit' });
}

async function startEmbeddedTemporal(config: Config, deps: Dependencies): Promise<DevServer> {
  ensureTemporalCli(config);
  return startDevServer({
    cliPath: config.TEMPORAL_CLI_PATH,
    dbFile: resolve(config.TEMPORAL_DB_FILE),
    port: (await isPortFree(PREFERRED_TEMPORAL_PORT)) ? PREFERRED_TEMPORAL_PORT : await freePort(),
    uiPort: config.TEMPORAL_UI_PORT,
    namespace: config.TEMPORAL_NAMESPACE,
    retention: DEV_RETENTION,
    uiCodecEndpoint: `http://localhost:${config.PORT}/codec`,
    log: (line) => deps.logger.debug({ component: 'temporal-dev-server' }, line.trim()),
  });
}

async function isPortFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

const DEFAULT_INBOUND_SMTP_PORT = 2525;

function printBanner(config: Config, apiUrl: string, temporalAddress: string, uiUrl: string | undefined, inboundSmtpPort?: number): void {
  const lines = [
    '',
    'ShoktiAI is running',
    `  API            ${apiUrl}`,
    `  API docs       ${apiUrl}/docs`,
    `  Console        ${apiUrl}/console  (demo operator: operator@shoktiai.local; 'npm run login-code' prints the mailed code)`,
    `  Temporal UI    ${uiUrl ?? '(external cluster: use its own UI)'}`,
    `  Temporal       ${temporalAddress} namespace=${config.TEMPORAL_NAMESPACE} task queue=${config.TEMPORAL_TASK_QUEUE}`,
    ...Object.entries(describeDependencies(config)).map(([k, v]) => `  ${k.padEnd(14)} ${v}`),
    `  public links   ${publicBaseUrl(config)}`,
    ...(inboundSmtpPort ? [`  replies (SMTP) localhost:${inboundSmtpPort}  reply+<token>@${config.INBOUND_DOMAIN}`] : []),
    config.INTERNAL_API_KEY ? '  /internal/*    x-api-key: (INTERNAL_API_KEY)' : '  /internal/*    set INTERNAL_API_KEY or sign in as an operator',
    'Press Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
}

/**
 * The dev server's UI has no login, so in development the API lets it (its origin, over loopback)
 * use the codec endpoint; operators then read histories in plain text while the server stores
 * ciphertext. Production never does this (loadConfig refuses CODEC_TRUST_LOCAL_UI there).
 */
function withLocalUiCodec(config: Config, devServer: DevServer): Config {
  if (config.NODE_ENV === 'production' || !devServer.uiUrl) return config;
  const port = new URL(devServer.uiUrl).port;
  const origins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
  return { ...config, TEMPORAL_UI_ORIGINS: [...config.TEMPORAL_UI_ORIGINS, ...origins], CODEC_TRUST_LOCAL_UI: true };
}

/**
 * `npm start`: the whole system in one process tree — the Temporal dev server (unless
 * TEMPORAL_ADDRESS names a cluster), migrations, demo data on an empty database, the daily
 * SmartEngage schedule, the worker and the API. Ctrl-C stops them all, in reverse order.
 */
async function main(): Promise<void> {
  // replies by email: `npm start` always runs the inbound listener (2525 unless INBOUND_SMTP_PORT says otherwise)
  const loaded = loadConfig();
  const config = { ...loaded, INBOUND_SMTP_PORT: loaded.INBOUND_SMTP_PORT ?? DEFAULT_INBOUND_SMTP_PORT };
  const tracing = startTracingFromConfig(config, 'shoktiai');
  ensureConsoleBuilt(console.log);
  const deps = await openDependencies(config);
  const devServer = config.TEMPORAL_ADDRESS ? undefined : await startEmbeddedTemporal(config, deps);
  const address = devServer?.address ?? config.TEMPORAL_ADDRESS!;
  const applied = await migrateToLatest(deps.db);
  if (applied.length) deps.logger.info({ migrations: applied }, 'migrations applied');
  if (config.DEMO_DATA) await seedDemoDataIfEmpty(deps.db, deps.logger);
  const temporal = await connectClient(temporalTarget(config, address), config);
  await ensureDailySchedule(temporal, config, deps.logger);
  const worker = await startWorker(config, deps, address);
  const apiConfig = devServer ? withLocalUiCodec(config, devServer) : config;
  // the console links runs to the UI this process started (its port may differ from the default)
  const api = await startApi(devServer?.uiUrl && !config.TEMPORAL_UI_URL ? { ...apiConfig, TEMPORAL_UI_URL: devServer.uiUrl } : apiConfig, deps, temporal);
  printBanner(config, api.url, address, devServer?.uiUrl, api.inboundSmtpPort);
  await runUntilSignalled(
    deps.logger,
    async () => {
      await api.stop();
      await worker.stop();
      await temporal.connection.close();
      await devServer?.stop();
      await deps.close();
      await tracing?.shutdown();
    },
    worker.done,
  );
}

void main().catch(exitWithError);
