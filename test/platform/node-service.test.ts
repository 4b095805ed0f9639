import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/runtime/project-root';
import { spawnNodeService, tailOf, waitForApi, waitForWorker, type NodeService } from '../../src/runtime/node-service';
import { eventually } from '../helpers/wait';
import { startWorkflowHarness, type WorkflowHarness } from '../workflows/harness';

/**
 * What the launchers (`npm run stack`, the bench, the chaos suite) rely on: a service runs as one
 * real child process, stops on SIGTERM (its own shutdown runs), is killed when it ignores SIGTERM,
 * and start-up waits fail with the service's last log lines.
 */
const dir = mkdtempSync(join(tmpdir(), 'shoktiai-node-service-'));
const started: NodeService[] = [];
const log = (name: string) => join(dir, 'logs', `${name}.log`);
const logText = (service: NodeService) => readFileSync(service.logFile, 'utf8');
const spawn = (name: string, entry: string, env: Record<string, string> = {}) => {
  const service = spawnNodeService(name, entry, env, log(name));
  started.push(service);
  return service;
};
const ready = (service: NodeService) => eventually(async () => logText(service).includes('ready'));

afterAll(async () => {
  await Promise.all(started.map((s) => s.stop(1000)));
});

describe('spawnNodeService and stop', () => {
  const signalled = 'test/platform/embedded/signalled-service.ts';

  it('runs a TypeScript entry as one process that shuts down cleanly on SIGTERM', async () => {
    const service = spawn('clean', signalled);
    await ready(service);
    expect(service.exited()).toBe(false);
    await service.stop();
    expect(service.exited()).toBe(true);
    expect(service.child.exitCode).toBe(0);
    expect(logText(service)).toMatch(/shutdown started\nshutdown finished/);
  });

  it('a second signal during a shutdown that does not finish exits at once with 130', async () => {
    const service = spawn('slow', signalled, { SLOW_SHUTDOWN: '1' });
    await ready(service);
    service.child.kill('SIGTERM');
    await eventually(async () => logText(service).includes('shutdown started'));
    const exited = new Promise((resolve) => service.child.once('exit', resolve));
    service.child.kill('SIGINT');
    expect(await exited).toBe(130);
  });

  it('kills a JavaScript entry that ignores SIGTERM once the grace period has passed', async () => {
    const entry = join(dir, 'stubborn.js');
    writeFileSync(entry, "process.on('SIGTERM', () => console.log('SIGTERM ignored'));\nsetInterval(() => undefined, 60000);\nconsole.log('ready');\n");
    const service = spawn('stubborn', entry);
    await ready(service);
    await service.stop(1000);
    expect(service.child.signalCode).toBe('SIGKILL');
    expect(logText(service)).toContain('SIGTERM ignored');
  });

  it('stopping a process that has already exited resolves at once', async () => {
    const entry = join(dir, 'brief.js');
    writeFileSync(entry, "console.log('done');\n");
    const service = spawn('brief', entry);
    await eventually(async () => service.exited());
    await service.stop();
    expect(service.child.exitCode).toBe(0);
    expect(tailOf(service.logFile)).toBe('done\n');
  });

  it('appends to the log file of an earlier run', async () => {
    const entry = join(dir, 'twice.js');
    writeFileSync(entry, "console.log('run');\n");
    for (let i = 0; i < 2; i++) {
      const service = spawn('twice', entry);
      await eventually(async () => service.exited());
    }
    expect(readFileSync(log('twice'), 'utf8')).toBe('run\nrun\n');
  });
});

describe('tailOf', () => {
  it('returns the last lines of a file, and nothing for a file that does not exist', () => {
    const file = join(dir, 'tail.log');
    writeFileSync(file, Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n'));
    expect(tailOf(file, 2)).toBe('line 19\nline 20');
    expect(tailOf(file).split('\n')).toHaveLength(15);
    expect(tailOf(join(dir, 'missing.log'))).toBe('');
  });
});

describe('start-up waits', () => {
  const logFile = join(dir, 'watched.log');
  writeFileSync(logFile, 'booting\nport already in use\n');
  const running = { name: 'api', logFile, exited: () => false };
  const crashed = { ...running, exited: () => true };

  describe('waitForApi', () => {
    let server: Server;
    let baseUrl: string;
    beforeAll(async () => {
      server = createServer((req, res) => res.writeHead(req.url === '/health' ? 503 : 404).end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('returns once /health answers, whatever its status', async () => {
      await expect(waitForApi(running, baseUrl, 5000)).resolves.toBeUndefined();
    });

    it('fails with the log tail when the service exited', async () => {
      await expect(waitForApi(crashed, baseUrl)).rejects.toThrow('api exited during start-up:\nbooting\nport already in use');
    });

    it('fails with the log tail when nothing answers in time', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as { port: number }).port;
      await new Promise((resolve) => closed.close(resolve));
      await expect(waitForApi(running, `http://127.0.0.1:${port}`, 300)).rejects.toThrow(
        `api did not answer at http://127.0.0.1:${port} within 300 ms:\nbooting`,
      );
    });
  });

  describe('waitForWorker', () => {
    let harness: WorkflowHarness;
    beforeAll(async () => {
      harness = await startWorkflowHarness();
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('returns once a worker polls the queue for workflow and activity tasks', async () => {
      await harness.withWorker({ loadCoachingProfile: jest.fn() }, (taskQueue) => waitForWorker(running, harness.client, taskQueue, 30_000));
    });

    it('fails when nobody polls the queue in time, or the service exited', async () => {
      await expect(waitForWorker(running, harness.client, `nobody-${Date.now()}`, 300)).rejects.toThrow(/did not poll nobody-\d+ within 300 ms:\nbooting/);
      await expect(waitForWorker(crashed, harness.client, 'any', 300)).rejects.toThrow('api exited during start-up');
    });
  });
});

describe('projectRoot', () => {
  it('finds the nearest folder with a package.json, and fails where there is none', () => {
    expect(projectRoot()).toBe(join(__dirname, '..', '..'));
    const nested = join(dir, 'pkg', 'dist', 'runtime');
    mkdirSync(nested, { recursive: true });
    writeFileSync(join(dir, 'pkg', 'package.json'), '{}');
    expect(projectRoot(nested)).toBe(join(dir, 'pkg'));
    expect(() => projectRoot('/')).toThrow('no package.json above /');
  });
});
