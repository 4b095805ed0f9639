import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { GRPC, grpcCode } from '../grpc-errors';
import { SEARCH_ATTRIBUTES } from '../search-attributes';

/** One line of /health: what was checked, whether it is usable, and (no personal data) why not. */
export interface CheckResult {
  status: 'up' | 'down' | 'unchecked';
  detail?: string;
  [key: string]: unknown;
}

/** Each Temporal call of a health check gets this long: /health must answer even when Temporal hangs. */
const CALL_DEADLINE_MS = 2000;

/**
 * A poller the server still lists may belong to a worker that died minutes ago (the server keeps
 * them for about five minutes). A live worker re-polls at least once a minute (long polls last up
 * to ~70 s), so only pollers seen within this window count.
 */
export const POLLER_FRESH_MS = 90_000;

const within = <T>(client: Client, call: () => Promise<T>) => client.connection.withDeadline(Date.now() + CALL_DEADLINE_MS, call);

function reason(error: unknown): string {
  const code = grpcCode(error);
  return code === undefined ? 'unreachable' : `gRPC status ${code}`;
}

/** The namespace answers DescribeNamespace: the frontend is reachable and the namespace exists. */
export async function checkNamespace(client: Client): Promise<CheckResult> {
  const namespace = client.options.namespace;
  try {
    await within(client, () => client.workflowService.describeNamespace({ namespace }));
    return { status: 'up', namespace };
  } catch (error) {
    return { status: 'down', namespace, detail: grpcCode(error) === GRPC.NOT_FOUND ? 'namespace not found' : reason(error) };
  }
}

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/**
 * The search attributes this process sets are registered as Keyword. A server that will not list
 * them (Temporal Cloud's operator API without the permission) is `unchecked`, not down: the
 * start-up check already made the same decision.
 */
export async function checkSearchAttributes(client: Client): Promise<CheckResult> {
  const namespace = client.options.namespace;
  try {
    const answer = await within(client, () => client.connection.operatorService.listSearchAttributes({ namespace }));
    const listed = answer.customAttributes ?? {};
    const missing = SEARCH_ATTRIBUTES.filter((key) => Number(listed[key.name]) !== KEYWORD).map((key) => key.name);
    return missing.length ? { status: 'down', missing, detail: 'missing or not Keyword' } : { status: 'up', missing: [] };
  } catch (error) {
    const code = grpcCode(error);
    if (code === GRPC.PERMISSION_DENIED || code === GRPC.UNIMPLEMENTED) return { status: 'unchecked', detail: 'the server does not list search attributes to this caller' };
    return { status: 'down', detail: reason(error) };
  }
}

// TaskQueueType values of the Temporal API: 1 workflow, 2 activity.
const QUEUE_TYPES = { workflow: 1, activity: 2 } as const;

/**
 * Workers poll the task queue for both workflow and activity tasks (DescribeTaskQueue). Without
 * them the API still accepts campaigns, but nothing moves: the check says so instead of "ok".
 */
export async function checkPollers(client: Client, taskQueue: string, now = Date.now()): Promise<CheckResult> {
  const namespace = client.options.namespace;
  const counts: Record<keyof typeof QUEUE_TYPES, number> = { workflow: 0, activity: 0 };
  try {
    for (const [kind, taskQueueType] of Object.entries(QUEUE_TYPES) as Array<[keyof typeof QUEUE_TYPES, number]>) {
      const answer = await within(client, () => client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType }));
      counts[kind] = (answer.pollers ?? []).filter((poller) => {
        const seconds = poller.lastAccessTime?.seconds;
        return seconds == null || now - Number(seconds) * 1000 <= POLLER_FRESH_MS;
      }).length;
    }
  } catch (error) {
    return { status: 'down', task_queue: taskQueue, detail: reason(error) };
  }
  const up = counts.workflow > 0 && counts.activity > 0;
  return { status: up ? 'up' : 'down', task_queue: taskQueue, workflow_pollers: counts.workflow, activity_pollers: counts.activity, ...(up ? {} : { detail: 'no worker polls this task queue' }) };
}
