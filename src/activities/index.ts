import { createApprovalActivities } from './approvals';
import { createCampaignsActivities } from './campaigns';
import { createCoachnovaActivities } from './coachnova';
import type { ActivityDeps } from './deps';
import { createMessagingActivities } from './messaging';
import { createReengagementActivities } from './reengagement';
import { createReplyActivities } from './replies';
import { createSegmentationActivities } from './segmentation';

/**
 * Every activity the worker registers, built from its dependencies. Workflows import only the
 * type of this object (`import type`), never the code.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createMessagingActivities(deps),
    ...createSegmentationActivities(deps),
    ...createCampaignsActivities(deps),
    ...createReengagementActivities(deps),
    ...createCoachnovaActivities(deps),
    ...createApprovalActivities(deps),
    ...createReplyActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
