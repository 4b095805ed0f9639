import { createLogger } from '../lib/logger';
import { exitWithError, runUntilSignalled } from '../runtime/process';
import { startStack, stackOptionsFromEnv, type Stack } from './stack';

function banner(stack: Stack, workersWanted: number): string {
  const lines = [
    '',
    'ShoktiAI production stack is running (real Temporal server on PostgreSQL)',
    `  Temporal       ${stack.server.address}  (frontend gRPC; metrics http://127.0.0.1:${stack.server.ports.metrics}/metrics)`,
    `  Temporal UI    ${stack.ui?.url ?? '(off)'}`,
    ...(stack.codec ? [`  UI codec       ${stack.codec.endpoint}  (decrypts payloads in the UI through the APIs; loopback, UI origin only)`] : []),
    ...stack.apis.map((api) => `  ${api.name.padEnd(14)} ${api.url}  (docs ${api.url}/docs)  pid ${api.pid}  log ${api.logFile}`),
    ...stack.workers.map((worker) => `  ${worker.name.padEnd(14)} metrics ${worker.url}  pid ${worker.pid}  log ${worker.logFile}`),
    `  database       ${stack.env.DATABASE_URL.replace(/:[^:@/]+@/, ':***@')}`,
    `  public links   ${stack.env.PUBLIC_BASE_URL}`,
    `  /internal/*    x-api-key: the INTERNAL_API_KEY in var/stack/secrets.json (or your own INTERNAL_API_KEY)`,
    `  ${workersWanted} worker(s), ${stack.apis.length} API(s). Press Ctrl-C to stop everything.`,
    '',
  ];
  return lines.join('\n');
}

/** `npm run stack`: the production topology on this machine, until Ctrl-C. */
async function main(): Promise<void> {
  const logger = createLogger(process.env.LOG_LEVEL ?? 'info');
  const options = stackOptionsFromEnv(process.env, (line) => logger.info(line));
  const stack = await startStack(options);
  console.log(banner(stack, options.workers));
  await runUntilSignalled(logger, () => stack.stop());
}

if (require.main === module) void main().catch(exitWithError);
