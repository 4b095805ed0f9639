import type { ActivityDeps } from './deps';

export function createCampaignsActivities(_deps: ActivityDeps) {
  return {};
}
