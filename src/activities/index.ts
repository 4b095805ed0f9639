import { createApprovalActivities } from './approvals';
import { createCampaignsActivities } from './campaigns';
import { createCoachnovaActivities } from './coachnova';
import type { ActivityDeps } from './deps';
import { createMessagingActivities } from './messaging';
import { createReengagementActivities } from './reengagement';
import { createReminderStepActivities, messageRecordedIn } from './reminder-steps';
import { createReplyActivities } from './replies';
import { createSegmentationActivities } from './segmentation';

/**
 * Every activity the worker registers, built from its dependencies. Workflows import only the
 * type of this object (`import type`), never the code.
 */
export function createActivities(deps: ActivityDeps) {
  const single = {
    ...createMessagingActivities(deps),
    ...createSegmentationActivities(deps),
    ...createCampaignsActivities(deps),
    ...createReengagementActivities(deps),
    ...createCoachnovaActivities(deps),
    ...createApprovalActivities(deps),
    ...createReplyActivities(deps),
  };
  // the re-engagement run's merged database steps are made of the single ones above
  return { ...single, ...createReminderStepActivities(single, messageRecordedIn(deps.db)) };
}

export type Activities = ReturnType<typeof createActivities>;
