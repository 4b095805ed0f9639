import type { ActivityDeps } from './deps';

/**
 * Every activity the worker registers, built from its dependencies. Workflows import only the
 * type of this object, never the code.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    async ping(): Promise<string> {
      void deps;
      return 'pong';
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
