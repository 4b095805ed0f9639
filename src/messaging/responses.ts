import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database';
import type { UserResponse } from '../db/types';
import type { MessageResponseEvent } from './types';

/**
 * How strong a response is: a booking outweighs a reply, a reply a click or acknowledgement,
 * anything outweighs silence. A stored response is only ever replaced by a stronger one, so
 * late or repeated events (a click after the booking, a retried signal) never downgrade it.
 */
export const RESPONSE_RANK: Record<UserResponse, number> = { IGNORED: 1, CLICKED: 2, ACKNOWLEDGED: 2, REPLIED: 3, BOOKED: 4 };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ResponseEvent = MessageResponseEvent | { messageId: string; response: 'IGNORED'; at: string };

const rankOf = (column: ReturnType<typeof sql.ref>) =>
  sql<number>`CASE ${column} ${sql.join(
    Object.entries(RESPONSE_RANK).map(([response, rank]) => sql`WHEN ${response}::user_response THEN ${rank}`),
    sql` `,
  )} ELSE 0 END`;

/**
 * Records a response if it is stronger than the stored one, in one conditional UPDATE (safe
 * under concurrent events). Used by workflows (through the activity) and by the API when the
 * message's workflow has already closed. `applied` is false when nothing changed.
 */
export async function applyMessageResponse(db: Db, event: ResponseEvent): Promise<{ applied: boolean }> {
  if (!UUID.test(event.messageId)) return { applied: false };
  // a malformed time must not lose the response itself: it is then stamped when we learn of it
  const parsed = new Date(event.at);
  const respondedAt = Number.isNaN(parsed.getTime()) ? new Date() : parsed;
  const result = await db
    .updateTable('ai_messages')
    .set({ user_response: event.response, responded_at: respondedAt, updated_at: new Date() })
    .where('id', '=', event.messageId)
    .where(storedResponseWeakerThan(event.response))
    .executeTakeFirst();
  return { applied: Number(result.numUpdatedRows) > 0 };
}

/**
 * The never-downgrade rule as a condition on an `ai_messages` row: true where `response` may
 * replace the stored one. IGNORED only ever fills an empty response, so a message whose click is
 * stored stays CLICKED however late the signal reaches its workflow.
 */
export function storedResponseWeakerThan(response: ResponseEvent['response']): RawBuilder<boolean> {
  const stored = sql.ref('user_response');
  if (response === 'IGNORED') return sql<boolean>`${stored} IS NULL`;
  return sql<boolean>`(${stored} IS NULL OR ${rankOf(stored)} < ${RESPONSE_RANK[response]})`;
}
