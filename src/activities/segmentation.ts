import type { ActivityDeps } from './deps';

export function createSegmentationActivities(_deps: ActivityDeps) {
  return {};
}
