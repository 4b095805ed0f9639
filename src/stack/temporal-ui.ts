import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopChild } from '../runtime/stop-child';

export interface TemporalUi {
  url: string;
  stop(): Promise<void>;
}

export interface TemporalUiOptions {
  binary: string;
  /** Folder for its generated configuration and log. */
  dir: string;
  temporalAddress: string;
  port: number;
  namespace: string;
  /** Origins allowed to call the UI's API (the console, a codec endpoint's page). */
  corsOrigins: string[];
  /** The remote codec endpoint the UI's pages call to show decrypted payloads (`codec.endpoint`). */
  codecEndpoint?: string;
}

/** The UI server's configuration file (temporalio/ui-server's config schema). */
export function uiConfigYaml(options: Omit<TemporalUiOptions, 'binary' | 'dir'>): string {
  return [
    `temporalGrpcAddress: ${JSON.stringify(options.temporalAddress)}`,
    'host: 127.0.0.1',
    `port: ${options.port}`,
    'enableUi: true',
    `defaultNamespace: ${JSON.stringify(options.namespace)}`,
    'notifyOnNewVersion: false',
    'cors:',
    '  allowOrigins:',
    ...options.corsOrigins.map((origin) => `    - ${JSON.stringify(origin)}`),
    // the UI has no login here, so there is no access token to pass along (the endpoint holds the key)
    ...(options.codecEndpoint ? ['codec:', `  endpoint: ${JSON.stringify(options.codecEndpoint)}`, '  passAccessToken: false', '  includeCredentials: false'] : []),
    '',
  ].join('\n');
}

/** The Temporal Web UI server (`temporalio/ui-server`) in front of the stack's frontend; ready once it answers HTTP. */
export async function startTemporalUi(options: TemporalUiOptions): Promise<TemporalUi> {
  const configDir = join(options.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'stack.yaml'), uiConfigYaml(options));
  const logFile = join(options.dir, 'temporal-ui.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(options.binary, ['--root', options.dir, '--config', 'config', '--env', 'stack', 'start'], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Temporal UI exited with code ${child.exitCode}; see ${logFile}`);
    try {
      await (await fetch(url)).arrayBuffer();
      break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Temporal UI not answering at ${url}: ${String(error)}; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { url, stop: () => stopChild(child) };
}
