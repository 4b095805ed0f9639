import { executeChild, proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { SegmentCriteriaInput } from '../../smartengage/criteria';
import { campaignWorkflowId } from '../../smartengage/core/settings';
import type { CampaignCounts } from '../../smartengage/types';
import { AgentTypeKey, CampaignIdKey, CorrelationIdKey } from '../../temporal/search-attributes';
import type { smartEngageCampaign } from './campaign';
import { SMARTENGAGE_CAMPAIGN_WORKFLOW } from './definitions';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

/**
 * The daily cadence check started by the Temporal Schedule. A scheduled run has no API request,
 * so it opens its own campaigns row (settings from the worker's configuration at run time) and
 * runs the campaign as a child: scheduled and on-demand campaigns look the same in the API and UI.
 * The child keeps the schedule's overlap policy meaningful: the check lasts as long as its campaign.
 */
export async function scheduledCadenceCheck(input: { criteria?: SegmentCriteriaInput } = {}): Promise<CampaignCounts> {
  const correlationId = workflowInfo().workflowId;
  const campaign = await acts.openScheduledCampaign({ campaignId: uuid4(), criteria: input.criteria ?? {}, correlationId });
  return executeChild<typeof smartEngageCampaign>(SMARTENGAGE_CAMPAIGN_WORKFLOW, {
    workflowId: campaignWorkflowId(campaign.campaignId),
    args: [campaign],
    typedSearchAttributes: [
      { key: AgentTypeKey, value: 'smartengage' },
      { key: CampaignIdKey, value: campaign.campaignId },
      { key: CorrelationIdKey, value: correlationId },
    ],
    memo: { criteria: campaign.criteria, scheduled: true },
  });
}
