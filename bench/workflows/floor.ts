/**
 * The floor of scenario 2 (bench-only, never in src/workflows): the campaign's workflow shape
 * with no-op activities. A parent pages through a segment (one page activity per page), starts
 * one child per customer inside the same sliding window, with the same search attributes,
 * continues as new at the same point; each child runs as many no-op activities as a real
 * re-engagement run does (counted from a real history), signals the parent, then holds a
 * timer like a real child waiting for the customer's response.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { AgentTypeKey, CampaignIdKey, CorrelationIdKey, CustomerIdKey } from '../../src/temporal/search-attributes';
import type { FloorActivities } from './floor-activities';

/** Workflow type names, used by every start (as in src/workflows/<agent>/definitions.ts). */
export const FLOOR_CAMPAIGN_WORKFLOW = 'floorCampaign';
export const FLOOR_CUSTOMER_WORKFLOW = 'floorCustomer';

export interface FloorCampaignInput {
  customers: number;
  pageSize: number;
  concurrency: number;
  maxChildrenPerRun: number;
  activitiesPerCustomer: number;
  /** Of those, how many run as local activities (the what-if of moving cheap steps local). */
  localActivitiesPerCustomer?: number;
  /** How long a child stays open after reporting (the real one waits for a response). */
  holdSeconds: number;
  state?: { cursor: number; reported: number; runs: number };
}

export const floorReportSignal = defineSignal<[string]>('floorReport');

const acts = proxyActivities<FloorActivities>({ startToCloseTimeout: '2m' });
const localActs = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '30s' });

export async function floorCustomer(input: { activities: number; localActivities?: number; reportTo: string; holdSeconds: number }): Promise<void> {
  const local = input.localActivities ?? 0;
  for (let i = 0; i < input.activities; i++) await (i < local ? localActs : acts).floorNoop(`step-${i}`);
  await getExternalWorkflowHandle(input.reportTo).signal(floorReportSignal, workflowInfo().workflowId);
  await condition(() => false, input.holdSeconds * 1000);
}

export async function floorCampaign(input: FloorCampaignInput): Promise<number> {
  const state = input.state ? { ...input.state, runs: input.state.runs + 1 } : { cursor: 0, reported: 0, runs: 1 };
  const parentId = workflowInfo().workflowId;
  const inFlight = new Set<string>();
  const early = new Set<string>();
  setHandler(floorReportSignal, (childId) => {
    if (inFlight.delete(childId)) state.reported++;
    else early.add(childId);
  });

  // like the campaign: the starts of one activation go to the server in one workflow task
  let pending = 0;
  const startOne = async (workflowId: string, member: { customerId: string; serviceId: string }) => {
    await startChild<typeof floorCustomer>(FLOOR_CUSTOMER_WORKFLOW, {
      workflowId,
      args: [{ activities: input.activitiesPerCustomer, localActivities: input.localActivitiesPerCustomer, reportTo: parentId, holdSeconds: input.holdSeconds }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: AgentTypeKey, value: 'bench-floor' },
        { key: CustomerIdKey, value: member.customerId },
        { key: CampaignIdKey, value: parentId },
        { key: CorrelationIdKey, value: parentId },
      ],
      memo: { campaignId: parentId, serviceId: member.serviceId },
    });
    pending--;
    if (early.delete(workflowId)) state.reported++;
    else inFlight.add(workflowId);
  };

  if (!input.state) await acts.floorNoop('start-campaign');
  let startedThisRun = 0;
  while (state.cursor < input.customers) {
    const page = await acts.floorSegmentPage({ limit: Math.min(input.pageSize, input.customers - state.cursor) });
    const starting: Array<Promise<void>> = [];
    for (const member of page) {
      await condition(() => inFlight.size + pending < input.concurrency);
      const workflowId = `${parentId}-${state.cursor}`;
      state.cursor++;
      pending++;
      starting.push(startOne(workflowId, member));
    }
    await Promise.all(starting);
    startedThisRun += page.length;
    await acts.floorNoop('save-progress');
    if (state.cursor < input.customers && (startedThisRun + input.pageSize > input.maxChildrenPerRun || workflowInfo().continueAsNewSuggested)) {
      await condition(() => inFlight.size === 0);
      await acts.floorNoop('save-progress');
      await condition(allHandlersFinished);
      return continueAsNew<typeof floorCampaign>({ ...input, state });
    }
  }
  await condition(() => inFlight.size === 0);
  await acts.floorNoop('complete-campaign');
  return state.reported;
}
