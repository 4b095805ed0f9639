import type { ActivityDeps } from './deps';

export function createMessagingActivities(_deps: ActivityDeps) {
  return {};
}
