import { contactsSkipped } from '../lib/metrics';
import * as store from '../smartengage/campaign-store';
import type { SegmentCriteriaInput } from '../smartengage/criteria';
import { campaignsStarted } from '../smartengage/metrics';
import { openCampaign } from '../smartengage/open-campaign';
import type { CampaignCounts, CampaignInput } from '../smartengage/types';
import type { ActivityDeps } from './deps';

/** Activities that keep a campaign's row current, and open the row of a scheduled run. */
export function createCampaignsActivities({ db, config }: ActivityDeps) {
  return {
    async startCampaignRun(input: { campaignId: string }): Promise<void> {
      await store.markCampaignRunning(db, input.campaignId);
    },

    /** Counts are absolute; `newSkips` (reasons decided by the campaign itself) feed the metrics. */
    async saveCampaignProgress(input: { campaignId: string; counts: CampaignCounts; newSkips?: Record<string, number> }): Promise<void> {
      await store.saveCampaignCounts(db, input.campaignId, input.counts);
      for (const [reason, n] of Object.entries(input.newSkips ?? {})) contactsSkipped.inc({ agent: 'smartengage', reason }, n);
    },

    async completeCampaign(input: { campaignId: string; counts: CampaignCounts; status?: store.FinalCampaignStatus; error?: string }): Promise<void> {
      await store.finishCampaign(db, input.campaignId, input.counts, input.status ?? 'COMPLETED', input.error);
    },

    /**
     * A scheduled cadence check has no API request behind it: this creates its campaigns row
     * (id chosen by the workflow, so a retry finds the same row) and the campaign's input,
     * from the worker's configuration at the time of the run.
     */
    async openScheduledCampaign(input: { campaignId: string; criteria: SegmentCriteriaInput; correlationId: string }): Promise<CampaignInput> {
      const campaign = await openCampaign(db, config, input);
      campaignsStarted.inc({ trigger: 'schedule' });
      return campaign.input;
    },
  };
}
