import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { loadHistory } from '../helpers/history-files';

/**
 * Determinism guard: histories recorded from real SmartEngage runs (flow.test.ts records them
 * when RECORD_HISTORIES=1) must replay against the current workflow bundle. A change that
 * alters the command sequence of a running workflow fails here, before it breaks live runs;
 * such a change needs `patched()` or a new workflow type, not a re-recording
 * (src/workflows/README.md).
 */
const dir = join(__dirname, 'histories');
/** Histories this suite must find: a missing one is a failure, never re-recorded silently. */
const REQUIRED = [
  'campaign-three-customers.binpb',
  'reengagement-clicked-booked.binpb',
  'reengagement-canary-rejected.binpb',
  'campaign-awaiting-approval.binpb',
  // recorded after the merged database steps (issue 16)
  'reengagement-merged-steps-clicked-booked.binpb',
  'campaign-merged-steps-three-customers.binpb',
];
const files = [...new Set([...REQUIRED, ...readdirSync(dir).filter((f) => f.endsWith('.binpb'))])];

describe('SmartEngage workflow replay', () => {
  it('has recorded histories to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    const history = loadHistory(join(dir, file));
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! } }, history, `replay-${file}`),
    ).resolves.toBeUndefined();
  });
});
