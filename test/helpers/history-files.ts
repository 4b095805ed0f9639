import { readFileSync, writeFileSync } from 'node:fs';
import type { History } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';

/**
 * Workflow histories saved as JSON for replay tests.
 *
 * Written with the generated History message's own toObject/fromObject (enum names, 64-bit ids
 * as strings, payload bytes as base64), not `historyToJSON`/`historyFromJSON`: in this install
 * @temporalio/common and @temporalio/proto each carry their own copy of protobufjs 8, and the
 * SDK's proto-JSON helpers then fail with "type must be a Type". A loaded history has Long
 * event ids, so `Worker.runReplayHistories` takes it as is.
 */
const HistoryMessage = temporal.api.history.v1.History;

export function saveHistory(path: string, history: History): void {
  const message = HistoryMessage.fromObject(history as Record<string, unknown>);
  const json = HistoryMessage.toObject(message, { longs: String, enums: String, bytes: String });
  writeFileSync(path, `${JSON.stringify(json, null, 1)}\n`);
}

export function loadHistory(path: string): History {
  return HistoryMessage.fromObject(JSON.parse(readFileSync(path, 'utf8')));
}
