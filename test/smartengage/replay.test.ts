import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

/**
 * Determinism guard: histories recorded from real SmartEngage runs (flow.test.ts writes them,
 * RECORD_HISTORIES=1 refreshes) must replay against the current workflow bundle. A change that
 * alters the command sequence of a running workflow fails here, before it breaks live runs;
 * such a change needs `patched()` or a new workflow type, not a re-recording.
 */
const dir = join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.binpb'));

describe('SmartEngage workflow replay', () => {
  it('has recorded histories to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    const history = temporal.api.history.v1.History.decode(readFileSync(join(dir, file)));
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! } }, history, `replay-${file}`),
    ).resolves.toBeUndefined();
  });
});
