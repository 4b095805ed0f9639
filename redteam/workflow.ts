import { composeSafeMessage, type ComposeOptions, type ComposeRequest } from '../src/workflows/shared/compose';

/** The shared compose helper as the red team's workflow: exactly what both agents run before recording a message. */
export async function redTeamCompose(req: ComposeRequest, options?: ComposeOptions) {
  return composeSafeMessage(req, options);
}
