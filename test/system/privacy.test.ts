import { randomUUID } from 'node:crypto';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { postJson } from '../helpers/http';
import { createCustomer, createService, runSegment, smartEngageEnv, waitForJob } from '../smartengage/fixtures';
import { API_KEY, createWorker, quietHoursAwayFromNow } from '../coachnova/fixtures';

/**
 * DESIGN "Privacy" and "Security and privacy": Temporal history holds no personal data in plain
 * text — no address or phone (those never enter it), and, with the payload codec, no names,
 * message drafts, free text or deep links either. Runs both agents end to end, then reads every
 * event of every run on this file's task queue as the server stores it, and once more decoded
 * through the codec endpoint the Temporal UI uses.
 */
let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ env: { ...smartEngageEnv(), ...quietHoursAwayFromNow() } });
});
afterAll(async () => {
  await system.stop();
});

/** Payload bytes come base64-encoded (or as raw bytes): decode them so their JSON text is searched. */
function decodePayloadData(key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (key === 'data' && typeof value === 'string') return Buffer.from(value, 'base64').toString('utf8');
  return value;
}

interface RawPayload {
  metadata?: Record<string, Uint8Array> | null;
  data?: Uint8Array | null;
}

/** Every payload object anywhere in a history (inputs, results, signals, failures, memos, …). */
function payloadsIn(node: unknown, found: RawPayload[] = []): RawPayload[] {
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return found;
  const candidate = node as RawPayload;
  if (candidate.data instanceof Uint8Array && candidate.metadata && typeof candidate.metadata === 'object') found.push(candidate);
  for (const value of Object.values(node)) payloadsIn(value, found);
  return found;
}

async function allHistories(): Promise<{ runs: number; text: string; payloads: RawPayload[]; ids: string }> {
  const chunks: string[] = [];
  const payloads: RawPayload[] = [];
  const ids: string[] = [];
  let runs = 0;
  for await (const execution of system.client.workflow.list({ query: `TaskQueue = "${system.taskQueue}"` })) {
    const history = await system.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    chunks.push(JSON.stringify(history, decodePayloadData));
    payloadsIn(history, payloads);
    ids.push(execution.workflowId, JSON.stringify(execution.searchAttributes), JSON.stringify(execution.typedSearchAttributes));
    runs++;
  }
  return { runs, text: chunks.join('\n'), payloads, ids: ids.join('\n') };
}

/** The payloads as the Temporal UI sees them: decoded by POST /codec/decode. */
async function decodedThroughCodecEndpoint(payloads: RawPayload[]): Promise<string> {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  const body = {
    payloads: payloads.map((p) => ({ metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data ?? new Uint8Array()) })),
  };
  const res = await postJson(`${system.baseUrl}/codec/decode`, body, API_KEY);
  expect(res.status).toBe(200);
  expect(res.body.payloads).toHaveLength(payloads.length);
  return res.body.payloads.map((p: { data: string }) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');
}

it('keeps personal data and message text out of workflow histories, while operators read them through the codec', async () => {
  const serviceId = await createService(system.db);
  const customer = await createCustomer(system.db, { serviceId, name: 'Zarifaprobe Khatun' });
  const phone = `+88017${Math.floor(10_000_000 + Math.random() * 89_999_999)}`;
  await system.db.updateTable('users').set({ phone }).where('id', '=', customer.id).execute();

  const supervisorEmail = `supervisor-${randomUUID()}@example.test`;
  const worker = await createWorker(system.db, { supervisorEmail, name: 'Tahsinprobe Mia' });
  const feedback = `probe feedback ${randomUUID().slice(0, 8)}: late and rude`;
  const checkInText = `probe check-in ${randomUUID().slice(0, 8)}: exhausted`;

  const run = await runSegment(system, {});
  expect(run.status).toBe(202);
  const job = await waitForJob(system, run.body.job_id);
  expect(job.counts.sent).toBeGreaterThanOrEqual(1);

  // a bad job (coaching tip by email) and a worried check-in (HIGH: check-in + supervisor alert)
  const event = await postJson(`${system.baseUrl}/internal/ai/coachnova/events`, { type: 'job_completed', worker_id: worker.id, booking_id: randomUUID(), rating: 2, feedback }, API_KEY);
  expect(event.status).toBe(202);
  const checkIn = await postJson(`${system.baseUrl}/internal/ai/coachnova/workers/${worker.id}/check-in`, { score: 1, text: checkInText }, API_KEY);
  expect(checkIn.status).toBe(202);
  await system.smtp.waitForMessages(4, 30_000);
  await eventually(() => Promise.resolve(system.smtp.messages.some((m) => m.to && JSON.stringify(m.to).includes(supervisorEmail))), 30_000);

  const messages = await system.db.selectFrom('ai_messages').select(['message_text', 'subject', 'deep_link']).where('user_id', 'in', [customer.id, worker.id]).execute();
  expect(messages.length).toBeGreaterThanOrEqual(2);
  const reminder = messages.find((m) => m.deep_link);
  expect(reminder).toBeDefined();
  const personal = {
    customerEmail: customer.email,
    phone,
    workerEmail: worker.email,
    supervisorEmail,
    customerFirstName: 'Zarifaprobe',
    workerFirstName: 'Tahsinprobe',
    feedback,
    checkInText,
    deepLink: reminder!.deep_link!,
    ...Object.fromEntries(messages.map((m, i) => [`message${i}`, m.message_text.slice(0, 40)])),
  };

  const { runs, text, payloads, ids } = await allHistories();
  expect(runs).toBeGreaterThanOrEqual(3);
  // what the server stores: every payload sealed, nothing personal readable
  const leaked = Object.entries(personal).filter(([, secret]) => text.includes(secret)).map(([name]) => name);
  expect(leaked).toEqual([]);
  expect(text.includes(serviceId)).toBe(false);
  const plain = payloads.filter((p) => Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString() !== 'binary/encrypted');
  // left in plain: search attributes (the server indexes them; ids and enums only) and the SDK
  // core's own marker bookkeeping (patch ids, local-activity sequence numbers)
  const unexpected = plain.filter((p) => !p.metadata?.type && !/^\{"(id|seq)":/.test(Buffer.from(p.data ?? new Uint8Array()).toString()));
  expect(unexpected).toEqual([]);
  const inIds = Object.entries(personal).filter(([, secret]) => ids.includes(secret)).map(([name]) => name);
  expect(inIds).toEqual([]);

  // what an operator sees in the Temporal UI, through the codec endpoint
  const decoded = await decodedThroughCodecEndpoint(payloads);
  expect(decoded).toContain(serviceId);
  expect(decoded).toContain(feedback);
  expect(decoded).toContain(checkInText);
  expect(decoded).toContain(messages[0].message_text.slice(0, 40));
});
