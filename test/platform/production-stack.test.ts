import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { createDatabase, type Db } from '../../src/db/database';
import { createLogger } from '../../src/lib/logger';
import { runStack } from '../../src/stack/run';
import { stackOptionsFromEnv, type Stack } from '../../src/stack/stack';
import { serverInstalled } from '../../src/stack/temporal-server';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp';
import { eventually } from '../helpers/wait';
import { createCustomer, createService, smartEngageEnv } from '../smartengage/fixtures';

/**
 * `npm run stack` in-process: the production topology (the real Temporal server on PostgreSQL,
 * its Web UI, the codec endpoint, one worker and one API as child processes) on databases, ports
 * and a folder of its own, so it never meets `npm run chaos` (its own PostgreSQL cluster in
 * var/chaos-pg, free ports) or `npm run stack` / `npm start` (var/stack, 3000, replies on 2525)
 * running on the same machine. It checks every address the launcher
 * prints, runs a small campaign through the real server to the end, and stops on SIGINT.
 */
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const tag = `stacktest_${randomBytes(4).toString('hex')}`;
const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${tag}` }).toString();
const temporalDatabase = `${tag}_temporal`;
const dir = mkdtempSync(join(tmpdir(), 'shoktiai-stack-'));

let smtp: TestSmtpServer;
let stack: Stack;
let stopped: Promise<void>;
let printed = '';
let db: Db;
const log: string[] = [];

/** Direct child processes of this (Jest) process but `ps` itself, by pid. */
function children(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([pid, command]) => Number(pid) > 0 && command !== 'ps')
    .map(([pid]) => Number(pid));
}
/** What ran before the stack (the suite's Temporal dev server) and the signal handlers there were. */
let childrenBefore: number[] = [];
let sigintHandlersBefore = 0;

async function dropDatabases(): Promise<void> {
  const admin = new PgClient({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    for (const name of [tag, temporalDatabase, `${temporalDatabase}_visibility`]) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

const internal = (path: string, init: RequestInit = {}) =>
  fetch(`${stack.apis[0].url}${path}`, { ...init, headers: { 'content-type': 'application/json', 'x-api-key': stack.env.INTERNAL_API_KEY, ...init.headers } });

beforeAll(async () => {
  if (!serverInstalled()) throw new Error('the Temporal server is not installed: npm run temporal:install-server');
  smtp = await startSmtpServer();
  childrenBefore = children();
  sigintHandlersBefore = process.listenerCount('SIGINT');
  const options = {
    // what `npm run stack` reads, with everything that could collide with another run made private
    ...stackOptionsFromEnv(
      { DATABASE_URL: databaseUrl, STACK_TEMPORAL_DB: temporalDatabase, STACK_WORKERS: '1', STACK_APIS: '1', STACK_API_PORT: '0', INBOUND_SMTP_PORT: '0', STACK_HISTORY_SHARDS: '1', STACK_DIR: dir, DEMO_DATA: 'false' },
      (line) => log.push(line),
    ),
    serviceEnv: { ...smartEngageEnv(), SMTP_URL: smtp.url, LOG_LEVEL: 'warn' },
  };
  ({ stack, stopped } = await runStack(options, (text) => (printed += text), createLogger('silent')));
  db = await createDatabase({ url: databaseUrl, poolMax: 2 });
}, 300_000);

afterAll(async () => {
  await db?.destroy();
  // a failed start or test: nothing may outlive the file
  await stack?.stop();
  await smtp?.close();
  await dropDatabases();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

it('prints every address it started, each one answering', async () => {
  const [api] = stack.apis;
  const [worker] = stack.workers;
  expect(log.some((line) => line.includes(`databases ${temporalDatabase}, ${temporalDatabase}_visibility`))).toBe(true);
  for (const address of [stack.server.address, `http://127.0.0.1:${stack.server.ports.metrics}/metrics`, stack.ui!.url, stack.codec!.endpoint, api.url!, `${api.url}/docs`, api.logFile, stack.inboundSmtp, worker.url!, worker.logFile, stack.secretsFile]) {
    expect(printed).toContain(address);
  }
  expect(printed).toContain(`pid ${api.pid}`);
  expect(printed).toContain(`pid ${worker.pid}`);
  expect(printed).toContain('1 worker(s), 1 API(s)');
  // the database password, if any, is never printed
  expect(printed).toContain(`database       ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}`);

  const health = await fetch(`${api.url}/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok', database: 'up', temporal: 'up' });
  expect(await (await fetch(`http://127.0.0.1:${stack.server.ports.metrics}/metrics`)).text()).toContain('# TYPE');
  expect(await (await fetch(worker.url!)).text()).toContain('# TYPE');
  // the UI serves its pages and reaches the server (its own HTTP API in front of the frontend)
  expect((await fetch(stack.ui!.url)).status).toBe(200);
  const namespaces = await fetch(`${stack.ui!.url}/api/v1/namespaces/${stack.client.options.namespace}`);
  expect(namespaces.status).toBe(200);
  expect(await namespaces.json()).toMatchObject({ namespaceInfo: { name: stack.client.options.namespace } });
  // secrets generated for this stack, kept in its folder
  expect(JSON.parse(readFileSync(stack.secretsFile, 'utf8')).INTERNAL_API_KEY).toBe(stack.env.INTERNAL_API_KEY);
});

it('runs a campaign to the end through the real server: one email per eligible customer, none to the others', async () => {
  const serviceId = await createService(db);
  const eligible = await Promise.all([1, 2, 3].map((i) => createCustomer(db, { serviceId, name: `Stack Customer ${i}`, locale: i === 3 ? 'en' : 'bn' })));
  const unconsenting = await createCustomer(db, { serviceId, consent: { marketing: false } });
  const recent = await createCustomer(db, { serviceId, lastBookingDaysAgo: 5 });

  const run = await internal('/internal/ai/smartengage/run-segment', { method: 'POST', body: JSON.stringify({ segment_criteria: { booking_cadence_days: 21, send_window_start: '00:00', send_window_end: '23:59' } }) });
  expect(run.status).toBe(202);
  const accepted = (await run.json()) as { job_id: string; workflow_id: string; estimated_customers: number };
  expect(accepted.estimated_customers).toBe(3);

  const job = await eventually(async () => {
    const body = (await (await internal(`/internal/ai/smartengage/jobs/${accepted.job_id}`)).json()) as { status: string; counts: Record<string, number> };
    return body.status === 'COMPLETED' || body.status === 'FAILED' ? body : null;
  }, 90_000, 500);
  expect(job).toMatchObject({ status: 'COMPLETED', counts: expect.objectContaining({ eligible: 3, sent: 3, failed: 0 }) });
  await smtp.waitForMessages(3);
  const recipients = smtp.messages.map((m) => (m.to as { value: Array<{ address: string }> }).value[0].address.toLowerCase());
  expect(recipients.sort()).toEqual(eligible.map((c) => c.email.toLowerCase()).sort());
  expect(recipients).not.toContain(unconsenting.email.toLowerCase());
  expect(recipients).not.toContain(recent.email.toLowerCase());
  // Temporal's own view: the campaign's run completed on the real server (its last activity
  // writes COMPLETED to the row a workflow task before the run itself closes)
  const closed = await eventually(async () => {
    const status = (await stack.client.workflow.getHandle(accepted.workflow_id).describe()).status.name;
    return status === 'RUNNING' ? null : status;
  }, 30_000, 200);
  expect(closed).toBe('COMPLETED');

  // the UI's codec endpoint decrypts the run's input as stored on the server, for the UI's page only
  const history = await stack.client.workflowService.getWorkflowExecutionHistory({ namespace: stack.client.options.namespace, execution: { workflowId: accepted.workflow_id } });
  const sealed = history.history!.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
  const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
  const body = JSON.stringify({ payloads: [{ metadata: Object.fromEntries(Object.entries(sealed.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(sealed.data) }] });
  expect(Buffer.from(sealed.metadata!.encoding!).toString()).not.toBe('json/plain'); // encrypted at rest
  const uiOrigin = stack.ui!.url;
  const decoded = await fetch(`${stack.codec!.endpoint}/decode`, { method: 'POST', headers: { origin: uiOrigin, 'content-type': 'application/json' }, body });
  expect(decoded.status).toBe(200);
  const [plain] = ((await decoded.json()) as { payloads: Array<{ data: string }> }).payloads;
  expect(Buffer.from(plain.data, 'base64').toString('utf8')).toContain(accepted.job_id);
  // another page, or no page, is refused; the API's codec route itself wants the operator key
  expect((await fetch(`${stack.codec!.endpoint}/decode`, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'application/json' }, body })).status).toBe(403);
  expect((await fetch(`${stack.apis[0].url}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(401);
}, 150_000);

it('stops everything on SIGINT: no child process is left', async () => {
  const pids = [stack.server.pid()!, ...stack.apis.map((a) => a.pid), ...stack.workers.map((w) => w.pid)];
  // the server, the UI, the API and the worker
  expect(children().filter((pid) => !childrenBefore.includes(pid))).toEqual(expect.arrayContaining(pids));
  expect(children().filter((pid) => !childrenBefore.includes(pid))).toHaveLength(4);
  process.emit('SIGINT', 'SIGINT');
  await stopped;
  expect(children().filter((pid) => !childrenBefore.includes(pid))).toEqual([]);
  expect(stack.apis.concat(stack.workers).every((service) => service.exited())).toBe(true);
  expect(process.listenerCount('SIGINT')).toBe(sigintHandlersBefore);
  // the ports it held are free again
  await expect(fetch(`${stack.apis[0].url}/health`)).rejects.toThrow();
  await expect(fetch(stack.ui!.url)).rejects.toThrow();
}, 120_000);
