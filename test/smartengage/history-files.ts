import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';

/**
 * Keeps one recorded history per scenario for replay.test.ts (RECORD_HISTORIES=1 refreshes them;
 * a file recorded before a workflow change is never refreshed to make replay pass).
 * Stored as binary protobuf: the SDK's JSON helpers fail on this install's two protobufjs majors.
 */
export function saveHistory(name: string, history: temporal.api.history.v1.IHistory): void {
  const file = join(__dirname, 'histories', name);
  if (existsSync(file) && process.env.RECORD_HISTORIES !== '1') return;
  mkdirSync(join(__dirname, 'histories'), { recursive: true });
  writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
}
