import type { Config } from '../config';
import type { Db } from '../db/database';
import { insertCampaign } from './campaign-store';
import { campaignSettings, campaignWorkflowId } from './core/settings';
import { assertApprovedPromotion, resolveCriteria, segmentId, type SegmentCriteriaInput } from './criteria';
import type { ExperimentSpec } from './experiment-spec';
import { assertPromptVersionsExist, createExperiment } from './experiment-store';
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
  request: { campaignId: string; criteria: SegmentCriteriaInput; correlationId: string; experiment?: ExperimentSpec },
): Promise<OpenedCampaign> {
  const criteria = resolveCriteria(request.criteria, config);
  assertApprovedPromotion(criteria);
  const workflowId = campaignWorkflowId(request.campaignId);
  const estimated = await countSegment(db, criteria, new Date());
  const segment = segmentId(criteria);
  if (request.experiment) await assertPromptVersionsExist(db, request.experiment, criteria.locale ? [criteria.locale] : ['bn', 'en']);
  await insertCampaign(db, { id: request.campaignId, segmentId: segment, criteria, estimated, workflowId, correlationId: request.correlationId });
  // the experiment and its arms are stored before the workflow starts: its first page assigns against them
  const experiment = request.experiment ? await createExperiment(db, request.campaignId, request.experiment, config.SE_ATTRIBUTION_WINDOW_SECONDS) : undefined;
  return {
    input: { campaignId: request.campaignId, criteria, correlationId: request.correlationId, settings: campaignSettings(criteria, config), ...(experiment ? { experiment } : {}) },
    segmentId: segment,
    estimated,
    workflowId,
  };
}
