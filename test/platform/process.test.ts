import type { Logger } from '../../src/lib/logger';
import { exitWithError, runUntilSignalled } from '../../src/runtime/process';

/**
 * The entry points' life cycle in this process (node-service.test.ts sends real signals to a
 * child): a signal or the end of the work runs the shutdown once; a second signal exits at
 * once; a failed run sets the exit code; a start-up failure ends the process with one line.
 */
const logger = () => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn() });
const asLogger = (l: ReturnType<typeof logger>) => l as unknown as Logger;

let exit: jest.SpyInstance;
let listeners: { SIGINT: Function[]; SIGTERM: Function[] };
beforeEach(() => {
  exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  listeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
});
afterEach(() => {
  exit.mockRestore();
  process.exitCode = undefined;
  // the handlers stay installed for the process's life; drop the ones this test added
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const l of process.listeners(signal)) if (!listeners[signal].includes(l)) process.off(signal, l as never);
  }
});

describe('runUntilSignalled', () => {
  it('runs the shutdown once on SIGTERM; a second signal while it runs exits with 130', async () => {
    const log = logger();
    let finishShutdown!: () => void;
    const shutdown = jest.fn(() => new Promise<void>((resolve) => (finishShutdown = resolve)));
    const running = runUntilSignalled(asLogger(log), shutdown);
    await new Promise((r) => setImmediate(r));
    expect(shutdown).not.toHaveBeenCalled();

    process.emit('SIGTERM', 'SIGTERM');
    await new Promise((r) => setImmediate(r));
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(log.info).toHaveBeenCalledWith({ signal: 'SIGTERM' }, 'shutting down');
    expect(exit).not.toHaveBeenCalled();

    process.emit('SIGINT', 'SIGINT');
    expect(log.warn).toHaveBeenCalledWith({ signal: 'SIGINT' }, 'second signal: exiting now');
    expect(exit).toHaveBeenCalledWith(130);
    finishShutdown();
    await running;
    expect(shutdown).toHaveBeenCalledTimes(1);
  });

  it('runs the shutdown when the work finishes on its own, exit code untouched', async () => {
    const log = logger();
    const shutdown = jest.fn(async () => undefined);
    await runUntilSignalled(asLogger(log), shutdown, Promise.resolve('done'));
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(process.exitCode).toBeUndefined();
    expect(log.error).not.toHaveBeenCalled();
  });

  it('logs a run that failed, sets exit code 1 and still shuts down', async () => {
    const log = logger();
    const shutdown = jest.fn(async () => undefined);
    const failure = new Error('worker crashed');
    await runUntilSignalled(asLogger(log), shutdown, Promise.reject(failure));
    expect(log.error).toHaveBeenCalledWith({ err: failure }, 'stopped with an error');
    expect(process.exitCode).toBe(1);
    expect(shutdown).toHaveBeenCalledTimes(1);
  });
});

describe('exitWithError', () => {
  it("prints an error's message (or a thrown value as is) and exits with 1", () => {
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      exitWithError(new Error('DATABASE_URL: Invalid url'));
      exitWithError('plain text');
      expect(printed.mock.calls).toEqual([['DATABASE_URL: Invalid url'], ['plain text']]);
      expect(exit.mock.calls).toEqual([[1], [1]]);
    } finally {
      printed.mockRestore();
    }
  });
});
