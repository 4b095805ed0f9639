import { composeSafeMessage, type ComposeOptions, type ComposeRequest } from '../../../src/workflows/shared/compose';

export const COMPOSE_PROBE_WORKFLOW = 'composeProbe';

/** A one-step workflow around the shared helper, so tests run it on a real worker. */
export async function composeProbe(req: ComposeRequest, options?: ComposeOptions) {
  return composeSafeMessage(req, options);
}
