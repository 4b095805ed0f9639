import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { History } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';

/**
 * Workflow histories kept for replay tests (`test/<agent>/histories/`), as `.binpb` (binary
 * protobuf) or `.json`.
 *
 * JSON is written with the generated History message's own toObject/fromObject (enum names,
 * 64-bit ids as strings, payload bytes as base64), not `historyToJSON`/`historyFromJSON`: in this
 * install @temporalio/common and @temporalio/proto each carry their own copy of protobufjs 8, and
 * the SDK's proto-JSON helpers then fail with "type must be a Type". A loaded history has Long
 * event ids, so `Worker.runReplayHistories` takes it as is.
 *
 * Recording is an explicit act (`RECORD_HISTORIES=1`, see src/workflows/README.md): a test never
 * writes a missing history by itself, so a deleted or renamed file fails the replay test instead
 * of being silently replaced by one recorded from today's code.
 */
const HistoryMessage = temporal.api.history.v1.History;

export const recordingHistories = (): boolean => process.env.RECORD_HISTORIES === '1';

/** Writes the history when recording is switched on; otherwise does nothing. */
export function recordHistory(path: string, history: History): void {
  if (!recordingHistories()) return;
  mkdirSync(dirname(path), { recursive: true });
  const message = HistoryMessage.fromObject(history as Record<string, unknown>);
  if (path.endsWith('.binpb')) {
    writeFileSync(path, HistoryMessage.encode(message).finish());
  } else {
    const json = HistoryMessage.toObject(message, { longs: String, enums: String, bytes: String });
    writeFileSync(path, `${JSON.stringify(json, null, 1)}\n`);
  }
}

/** Reads a saved history; throws (failing the test) when the file is missing. */
export function loadHistory(path: string): History {
  if (path.endsWith('.binpb')) return HistoryMessage.decode(readFileSync(path));
  return HistoryMessage.fromObject(JSON.parse(readFileSync(path, 'utf8')));
}
