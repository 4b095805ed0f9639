import type { Db } from '../db/database';
import { applyMessageResponse, type ResponseEvent } from '../messaging/responses';
import { recordResponseDecision } from './decisions';

/**
 * Stores a response on its message (never downgrading, see RESPONSE_RANK) and, for a SmartEngage
 * reminder, on the customer's timeline. Every path that records a response goes through here:
 * the workflow's activity, the click endpoint, and the fallback for a closed workflow.
 */
export async function storeMessageResponse(db: Db, event: ResponseEvent): Promise<{ applied: boolean }> {
  const result = await applyMessageResponse(db, event);
  await recordResponseDecision(db, event);
  return result;
}
