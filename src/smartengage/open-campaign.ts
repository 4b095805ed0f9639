import type { Config } from '../config';
import type { Db } from '../db/database';
import { insertCampaign } from './campaign-store';
import { campaignSettings, campaignWorkflowId } from './core/settings';
import { resolveCriteria, segmentId, type SegmentCriteriaInput } from './criteria';
import { countSegment } from './segment-query';
import type { CampaignInput } from './types';

export interface OpenedCampaign {
  /** What the campaign workflow is started with. */
  input: CampaignInput;
  segmentId: string;
  estimated: number;
  workflowId: string;
}

/**
 * Opens one campaign, whoever asks (the API or a scheduled run): resolves the criteria against
 * configuration, counts the segment, inserts the `campaigns` row (a retry with the same id finds
 * it) and builds the workflow's input. Starting the workflow is the caller's part.
 */
export async function openCampaign(
  db: Db,
  config: Config,
  request: { campaignId: string; criteria: SegmentCriteriaInput; correlationId: string },
): Promise<OpenedCampaign> {
  const criteria = resolveCriteria(request.criteria, config);
  const workflowId = campaignWorkflowId(request.campaignId);
  const estimated = await countSegment(db, criteria, new Date());
  const segment = segmentId(criteria);
  await insertCampaign(db, { id: request.campaignId, segmentId: segment, criteria, estimated, workflowId, correlationId: request.correlationId });
  return {
    input: { campaignId: request.campaignId, criteria, correlationId: request.correlationId, settings: campaignSettings(criteria, config) },
    segmentId: segment,
    estimated,
    workflowId,
  };
}
