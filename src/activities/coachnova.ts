import type { ActivityDeps } from './deps';

export function createCoachnovaActivities(_deps: ActivityDeps) {
  return {};
}
