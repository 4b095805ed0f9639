import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection, type ScheduleHandle } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/lib/logger';
import { encryptedDataConverter } from '../../src/temporal/codec/data-converter';
import {
  createCadenceSchedule,
  defaultScheduleOptions,
  deleteCadenceSchedule,
  describeCadenceSchedule,
  ensureDailySchedule,
  listCadenceSchedules,
  setCadenceSchedulePaused,
  triggerCadenceSchedule,
} from '../../src/temporal/clients/cadence-schedule';
import { eventually } from '../helpers/wait';

/**
 * The cadence schedule client on the shared dev server, without the API in front: the paths the
 * routes' tests (contract.test.ts) do not take. Nothing polls this file's task queue, so a
 * triggered check stays open and is terminated at the end.
 */
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', TEMPORAL_TASK_QUEUE: `schedules-${randomUUID()}` });
let connection: Connection;
let client: Client;
const cleanup: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  // as every client of the project: other tests' schedules in this namespace carry encrypted memos
  client = new Client({ connection, namespace: 'default', dataConverter: encryptedDataConverter(config) });
});
afterAll(async () => {
  for (const step of cleanup) await step().catch(() => undefined);
  await connection.close();
});

const scheduleId = () => `cadence-test-${randomUUID().slice(0, 8)}`;
function created(id: string): string {
  cleanup.push(() => client.schedule.getHandle(id).delete());
  return id;
}

it('creates a schedule paused with its note and shows what the API shows', async () => {
  const id = created(scheduleId());
  await createCadenceSchedule(client, config, { scheduleId: id, cron: '30 9 * * 1', timezone: 'UTC', criteria: { booking_cadence_days: 14 }, paused: true, note: 'not before the launch' });
  const view = await describeCadenceSchedule(client, id);
  expect(view).toMatchObject({ schedule_id: id, cron: '30 9 * * 1', timezone: 'UTC', paused: true, note: 'not before the launch', criteria: { booking_cadence_days: 14 }, recent_runs: [] });
  // the next Mondays at 09:30 UTC, five at most
  expect(view!.next_runs).toHaveLength(5);
  expect(view!.next_runs.every((at) => new Date(at).getUTCDay() === 1 && at.endsWith('T09:30:00.000Z'))).toBe(true);
});

it('pauses and resumes with a default note when none is given, and a triggered check shows as a recent run', async () => {
  const id = created(scheduleId());
  await createCadenceSchedule(client, config, { ...defaultScheduleOptions(config), scheduleId: id });
  expect(await setCadenceSchedulePaused(client, id, true)).toBe(true);
  expect(await describeCadenceSchedule(client, id)).toMatchObject({ paused: true, note: 'paused through the API' });
  expect(await setCadenceSchedulePaused(client, id, false)).toBe(true);
  expect(await describeCadenceSchedule(client, id)).toMatchObject({ paused: false, note: 'resumed through the API', cron: config.SE_SCHEDULE_CRON, timezone: config.SE_SCHEDULE_TIMEZONE, criteria: {} });

  expect(await triggerCadenceSchedule(client, id)).toBe(true);
  const view = await eventually(async () => {
    const v = await describeCadenceSchedule(client, id);
    return v && v.recent_runs.length > 0 ? v : null;
  });
  expect(view.recent_runs).toEqual([{ scheduled_at: expect.stringMatching(/Z$/), workflow_id: expect.stringMatching(new RegExp(`^${id}-run`)) }]);
  cleanup.push(() => client.workflow.getHandle(view.recent_runs[0].workflow_id).terminate('test over'));
});

it('lists only SmartEngage schedules; one made by anyone else is described without a cron or criteria', async () => {
  const foreign = created(scheduleId());
  const handle: ScheduleHandle = await client.schedule.create({
    scheduleId: foreign,
    spec: { intervals: [{ every: '1 day' }] },
    action: { type: 'startWorkflow', workflowType: 'somethingElse', taskQueue: config.TEMPORAL_TASK_QUEUE, args: [] },
    state: { paused: true },
  });
  const ours = created(scheduleId());
  await createCadenceSchedule(client, config, { scheduleId: ours, cron: '0 3 * * *', timezone: 'Asia/Dhaka', criteria: {}, paused: true });

  // the listing is eventually consistent: wait until the server lists both
  await eventually(async () => {
    const ids: string[] = [];
    for await (const summary of client.schedule.list()) ids.push(summary.scheduleId);
    return ids.includes(foreign) && ids.includes(ours);
  });
  const listed = (await listCadenceSchedules(client)).map((view) => view.schedule_id);
  expect(listed).toContain(ours);
  expect(listed).not.toContain(foreign);

  expect(await describeCadenceSchedule(client, handle.scheduleId)).toMatchObject({ schedule_id: foreign, cron: null, timezone: null, note: null, criteria: {}, paused: true });
});

it('skips a schedule whose memo it cannot decode (another codec or a retired key) and still lists its own', async () => {
  // another application in the namespace: its memos are encrypted under a key this system does not hold
  const otherKey = randomBytes(32).toString('base64');
  const other = new Client({ connection, namespace: 'default', dataConverter: encryptedDataConverter({ ...config, PAYLOAD_CODEC_KEY: otherKey, PAYLOAD_CODEC_PREVIOUS_KEYS: [] }) });
  const undecodable = created(scheduleId());
  await createCadenceSchedule(other, config, { scheduleId: undecodable, cron: '0 4 * * *', timezone: 'UTC', criteria: {}, paused: true });
  const ours = created(scheduleId());
  await createCadenceSchedule(client, config, { scheduleId: ours, cron: '0 5 * * *', timezone: 'UTC', criteria: {}, paused: true });

  const skipped: string[] = [];
  const listed = await eventually(async () => {
    skipped.length = 0;
    const ids = (await listCadenceSchedules(client, (id) => skipped.push(id))).map((view) => view.schedule_id);
    return ids.includes(ours) && skipped.includes(undecodable) ? ids : null;
  });
  expect(listed).not.toContain(undecodable);
  // the skip is reported, not silent
  expect(skipped).toContain(undecodable);
});

it('answers null or false for a schedule that does not exist, for every action', async () => {
  const missing = scheduleId();
  expect(await describeCadenceSchedule(client, missing)).toBeNull();
  expect(await setCadenceSchedulePaused(client, missing, true, 'holiday')).toBe(false);
  expect(await setCadenceSchedulePaused(client, missing, false)).toBe(false);
  expect(await triggerCadenceSchedule(client, missing)).toBe(false);
  expect(await deleteCadenceSchedule(client, missing)).toBe(false);
});

it('does not take other failures for "missing" or "exists": an unknown namespace is thrown', async () => {
  const elsewhere = new Client({ connection, namespace: `missing-${randomUUID()}` });
  await expect(describeCadenceSchedule(elsewhere, scheduleId())).rejects.toBeInstanceOf(NamespaceNotFoundError);
  await expect(deleteCadenceSchedule(elsewhere, scheduleId())).rejects.toBeInstanceOf(NamespaceNotFoundError);
  await expect(ensureDailySchedule(elsewhere, { ...config, SE_SCHEDULE_ID: scheduleId() }, createLogger('silent'))).rejects.toBeInstanceOf(NamespaceNotFoundError);
});
