import { createLogger, type Logger } from '../lib/logger';
import { exitWithError, runUntilSignalled } from '../runtime/process';
import { startStack, stackOptionsFromEnv, type Stack, type StackOptions } from './stack';

/** What `npm run stack` prints once everything is up: every address an operator needs. */
export function banner(stack: Stack, workersWanted: number): string {
  const lines = [
    '',
    'ShoktiAI production stack is running (real Temporal server on PostgreSQL)',
    `  Temporal       ${stack.server.address}  (frontend gRPC; metrics http://127.0.0.1:${stack.server.ports.metrics}/metrics)`,
    `  Temporal UI    ${stack.ui?.url ?? '(off)'}`,
    ...(stack.codec ? [`  UI codec       ${stack.codec.endpoint}  (decrypts payloads in the UI through the APIs; loopback, UI origin only)`] : []),
    ...stack.apis.map((api) => `  ${api.name.padEnd(14)} ${api.url}  (docs ${api.url}/docs)  pid ${api.pid}  log ${api.logFile}`),
    `  email replies  ${stack.inboundSmtp}  (the first API's inbound SMTP listener)`,
    ...stack.workers.map((worker) => `  ${worker.name.padEnd(14)} metrics ${worker.url}  pid ${worker.pid}  log ${worker.logFile}`),
    `  sent mailbox   ${stack.env.SENT_MAILBOX_URL ? `${stack.env.SENT_MAILBOX_URL.replace(/:[^:@/]+@/, ':***@')} (asked before an in-doubt resend)` : 'unset: a send left in doubt is resent (email at least once)'}`,
    `  database       ${stack.env.DATABASE_URL.replace(/:[^:@/]+@/, ':***@')}`,
    `  public links   ${stack.env.PUBLIC_BASE_URL}`,
    `  /internal/*    x-api-key: the INTERNAL_API_KEY in ${stack.secretsFile} (or your own INTERNAL_API_KEY)`,
    `  ${workersWanted} worker(s), ${stack.apis.length} API(s). Press Ctrl-C to stop everything.`,
    '',
  ];
  return lines.join('\n');
}

/**
 * Starts the stack, prints its addresses and stops everything on SIGINT/SIGTERM: `stopped`
 * settles once every process it started has exited.
 */
export async function runStack(options: StackOptions, print: (text: string) => void, logger: Logger): Promise<{ stack: Stack; stopped: Promise<void> }> {
  const stack = await startStack(options);
  print(banner(stack, options.workers));
  return { stack, stopped: runUntilSignalled(logger, () => stack.stop()) };
}

/** `npm run stack`: the production topology on this machine, until Ctrl-C. */
async function main(): Promise<void> {
  const logger = createLogger(process.env.LOG_LEVEL ?? 'info');
  const { stopped } = await runStack(stackOptionsFromEnv(process.env, (line) => logger.info(line)), (text) => console.log(text), logger);
  await stopped;
}

if (require.main === module) void main().catch(exitWithError);
