import type { Stack } from '../lib/stack';
import { newResult, type ScenarioResult } from '../lib/report';

export async function runApiLoad(_stack: Stack, _o: { log: (m: string) => void }): Promise<ScenarioResult> {
  const r = newResult(3, 'API under load');
  r.status = 'pending';
  r.notes.push('not wired yet');
  return r;
}
