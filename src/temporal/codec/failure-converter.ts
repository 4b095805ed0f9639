import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces can quote personal data (an activity's error about a
 * customer's message): with `encodeCommonAttributes` they travel as a payload, which the payload
 * codec encrypts like any other. Loaded by path in the client, the worker and the workflow bundle.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
