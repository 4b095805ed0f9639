import { composeSafeMessage, type ComposeOptions, type ComposeRequest } from '../../../src/workflows/shared/compose';

/** A one-step workflow around the shared helper, so tests run it on a real worker. */
export async function composeProbe(req: ComposeRequest, options?: ComposeOptions) {
  return composeSafeMessage(req, options);
}
