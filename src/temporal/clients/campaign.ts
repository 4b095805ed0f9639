import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { CampaignProgress } from '../../smartengage/types';
import type { OpenedCampaign } from '../../smartengage/open-campaign';
import type { smartEngageCampaign } from '../../workflows/smartengage/campaign';
import { campaignProgressQuery, SMARTENGAGE_CAMPAIGN_WORKFLOW } from '../../workflows/smartengage/definitions';
import { AgentTypeKey, CampaignIdKey, CorrelationIdKey } from '../search-attributes';

/** Starts the campaign workflow of an opened campaign, findable by agent, campaign and correlation id. */
export async function startCampaignWorkflow(client: Client, config: Config, campaign: OpenedCampaign): Promise<void> {
  const { input } = campaign;
  await client.workflow.start<typeof smartEngageCampaign>(SMARTENGAGE_CAMPAIGN_WORKFLOW, {
    workflowId: campaign.workflowId,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    args: [input],
    typedSearchAttributes: [
      { key: AgentTypeKey, value: 'smartengage' },
      { key: CampaignIdKey, value: input.campaignId },
      { key: CorrelationIdKey, value: input.correlationId },
    ],
    memo: { criteria: input.criteria, segmentId: campaign.segmentId },
  });
}

/**
 * The running workflow's own view (fresher than the row, which is saved per page). A query needs
 * a worker to answer, so it gets two seconds; without an answer the row's counts are shown.
 */
export async function campaignProgress(client: Client, workflowId: string): Promise<CampaignProgress | null> {
  try {
    return await client.withDeadline(Date.now() + 2000, () => client.workflow.getHandle(workflowId).query(campaignProgressQuery));
  } catch {
    return null;
  }
}
