import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription } from '@temporalio/client';
import { ValueError } from '@temporalio/common';
import type { Config } from '../../config';
import type { Logger } from '../../lib/logger';
import { SCHEDULED_CADENCE_CHECK_WORKFLOW } from '../../workflows/smartengage/definitions';
import { AgentTypeKey } from '../search-attributes';
import type { SegmentCriteriaInput } from '../../smartengage/criteria';

/**
 * The daily cadence check as a Temporal Schedule: each action starts `scheduledCadenceCheck`,
 * which opens a campaigns row and runs the campaign. Overlap SKIP: a check still running when
 * the next one is due is not doubled (and per-customer-per-day ids would dedupe it anyway).
 */
export interface CadenceScheduleOptions {
  scheduleId: string;
  cron: string;
  timezone: string;
  criteria: SegmentCriteriaInput;
  paused?: boolean;
  note?: string;
}

export interface CadenceScheduleView {
  schedule_id: string;
  cron: string | null;
  timezone: string | null;
  paused: boolean;
  note: string | null;
  criteria: SegmentCriteriaInput;
  next_runs: string[];
  recent_runs: Array<{ scheduled_at: string; workflow_id: string }>;
}

export function defaultScheduleOptions(config: Config): CadenceScheduleOptions {
  return { scheduleId: config.SE_SCHEDULE_ID, cron: config.SE_SCHEDULE_CRON, timezone: config.SE_SCHEDULE_TIMEZONE, criteria: {} };
}

/** Creates the schedule; throws ScheduleAlreadyRunning when one with this id exists. */
export async function createCadenceSchedule(client: Client, config: Config, options: CadenceScheduleOptions): Promise<void> {
  await client.schedule.create({
    scheduleId: options.scheduleId,
    spec: { cronExpressions: [options.cron], timezone: options.timezone },
    action: {
      type: 'startWorkflow',
      workflowType: SCHEDULED_CADENCE_CHECK_WORKFLOW,
      workflowId: `${options.scheduleId}-run`,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ criteria: options.criteria }],
      typedSearchAttributes: [{ key: AgentTypeKey, value: 'smartengage' }],
      memo: { criteria: options.criteria },
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    state: { paused: options.paused ?? false, note: options.note ?? 'SmartEngage daily cadence check' },
    memo: { agent: 'smartengage', cron: options.cron, criteria: options.criteria },
  });
}

/** For `npm start`: the default daily schedule exists afterwards (created unless already there). */
export async function ensureDailySchedule(client: Client, config: Config, logger: Logger): Promise<'created' | 'exists'> {
  const options = defaultScheduleOptions(config);
  try {
    await createCadenceSchedule(client, config, options);
    logger.info({ scheduleId: options.scheduleId, cron: options.cron, timezone: options.timezone }, 'SmartEngage daily schedule created');
    return 'created';
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return 'exists';
    throw error;
  }
}

function toView(description: ScheduleDescription): CadenceScheduleView {
  const memo = (description.memo ?? {}) as { cron?: string; criteria?: SegmentCriteriaInput };
  return {
    schedule_id: description.scheduleId,
    cron: memo.cron ?? null,
    // the SDK describes an absent time zone or note as "" (proto defaults); the view says null
    timezone: description.spec.timezone || null,
    paused: description.state.paused,
    note: description.state.note || null,
    criteria: memo.criteria ?? {},
    next_runs: description.info.nextActionTimes.slice(0, 5).map((d) => d.toISOString()),
    recent_runs: description.info.recentActions.map((a) => ({ scheduled_at: a.scheduledAt.toISOString(), workflow_id: a.action.workflow.workflowId })),
  };
}

/** What `action` answers, or `missing` when the schedule does not exist. */
async function ifScheduleExists<T, M>(action: () => Promise<T>, missing: M): Promise<T | M> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return missing;
    throw error;
  }
}

/** null when there is no such schedule. */
export async function describeCadenceSchedule(client: Client, scheduleId: string): Promise<CadenceScheduleView | null> {
  return ifScheduleExists(async () => toView(await client.schedule.getHandle(scheduleId).describe()), null);
}

/**
 * SmartEngage schedules (memo agent = smartengage); the listing is eventually consistent.
 *
 * The namespace is shared: a schedule another application wrote with its own codec (or one
 * encrypted under a key since retired) cannot be decoded here. The SDK's `schedule.list()`
 * decodes every memo inside its iterator, so one such schedule would end the whole listing;
 * this pages the raw ids and describes each one, skipping those it cannot decode.
 */
export async function listCadenceSchedules(client: Client, onUndecodable: (scheduleId: string, error: ValueError) => void = () => {}): Promise<CadenceScheduleView[]> {
  const views: CadenceScheduleView[] = [];
  for (const scheduleId of await listScheduleIds(client)) {
    let description: ScheduleDescription;
    try {
      description = await client.schedule.getHandle(scheduleId).describe();
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) continue; // deleted since it was listed
      if (error instanceof ValueError) {
        onUndecodable(scheduleId, error);
        continue;
      }
      throw error;
    }
    if ((description.memo as { agent?: string } | undefined)?.agent === 'smartengage') views.push(toView(description));
  }
  return views;
}

async function listScheduleIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listSchedules({ namespace: client.options.namespace, maximumPageSize: 100, nextPageToken });
    for (const entry of page.schedules ?? []) if (entry.scheduleId) ids.push(entry.scheduleId);
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return ids;
}

/** Pauses or resumes; false when there is no such schedule. */
export async function setCadenceSchedulePaused(client: Client, scheduleId: string, paused: boolean, note?: string): Promise<boolean> {
  const handle = client.schedule.getHandle(scheduleId);
  return ifScheduleExists(async () => {
    if (paused) await handle.pause(note ?? 'paused through the API');
    else await handle.unpause(note ?? 'resumed through the API');
    return true;
  }, false);
}

/** Starts one cadence check now, outside the calendar; false when there is no such schedule. */
export async function triggerCadenceSchedule(client: Client, scheduleId: string): Promise<boolean> {
  return ifScheduleExists(async () => {
    await client.schedule.getHandle(scheduleId).trigger(ScheduleOverlapPolicy.SKIP);
    return true;
  }, false);
}

/** false when there is no such schedule. */
export async function deleteCadenceSchedule(client: Client, scheduleId: string): Promise<boolean> {
  return ifScheduleExists(async () => {
    await client.schedule.getHandle(scheduleId).delete();
    return true;
  }, false);
}
