import { ActivityFailure, log } from '@temporalio/workflow';
import { endOfQuietHours, localMoment } from '../../core/local-time';
import type { CoachingSettings } from '../../coachnova/settings';
import type { WorkerProfile } from '../../coachnova/work-history';
import type { Channel } from '../../db/types';
import type { ComposedMessage, MessageResponseEvent, PromptContext } from '../../messaging/types';
import { composeSafeMessage } from '../shared/compose';
import { isActivityOutcome } from '../shared/activity-outcome';
import { bestEffort, mail, type DatabaseSteps } from './activities';
import type { CoachingMessageType, PendingMessage, SessionState } from './definitions';

/**
 * The life of one coaching or check-in message, as steps the session loop runs when due:
 * SCHEDULED (waits out quiet hours and the daily cap) → composed, stored IN_APP (delivered to
 * the worker app) and, when the worker has an address, recorded and sent as a second EMAIL row
 * → AWAITING_ACK → one reminder → IGNORED. Each step leaves the state complete, so a
 * continue-as-new between steps resumes exactly where it stopped.
 */

export interface MessageContext {
  workerId: string;
  workflowId: string;
  profile: WorkerProfile;
  settings: CoachingSettings;
  /** The run's database steps, local or remote (`databaseSteps`). */
  db: DatabaseSteps['store'];
}

export interface NewMessage {
  key: string;
  type: CoachingMessageType;
  reasons: string[];
  context: PromptContext;
  correlationId?: string;
}

const SECOND = 1000;

/** Queues a message (once per key) for the end of the worker's quiet hours, or now. */
export function scheduleMessage(state: SessionState, ctx: MessageContext, message: NewMessage, now: Date): void {
  if (state.pending.some((p) => p.key === message.key)) return;
  const due = endOfQuietHours(now, ctx.profile.timezone, ctx.settings.quietHoursStart, ctx.settings.quietHoursEnd);
  state.pending.push({ ...message, stage: 'SCHEDULED', dueAt: due.toISOString(), messageIds: [], reminded: false });
}

/** Runs every message step that is due, in order of the pending list. */
export async function advanceDueMessages(state: SessionState, ctx: MessageContext, nextActionAt: (p: PendingMessage) => number): Promise<void> {
  for (const message of [...state.pending]) {
    const now = new Date();
    if (nextActionAt(message) > now.getTime()) continue;
    if (message.stage === 'SCHEDULED') await sendWhenAllowed(state, ctx, message, now);
    else await followUp(state, ctx, message, now);
  }
}

/**
 * Records a worker's response (the session owns its messages, so the API signals rather than
 * writes) and stops the follow-up of the message it answers; true when one was waiting for it.
 */
export async function recordResponse(state: SessionState, ctx: MessageContext, event: MessageResponseEvent): Promise<boolean> {
  const message = state.pending.find((p) => p.messageIds.includes(event.messageId));
  // stored first: a session that shows nothing pending has its responses in the database
  // (the API's worker state read the two in between: no pending message, no response yet)
  await bestEffort('recording the response', () => ctx.db.recordMessageResponse(event));
  if (message) removePending(state, message);
  return !!message;
}

function removePending(state: SessionState, message: PendingMessage): void {
  state.pending = state.pending.filter((p) => p !== message);
}

function nextLocalMorning(now: Date, ctx: MessageContext): Date {
  const minutesToMidnight = 1440 - localMoment(now, ctx.profile.timezone).minutes;
  const midnight = new Date(now.getTime() + minutesToMidnight * 60 * SECOND);
  return endOfQuietHours(midnight, ctx.profile.timezone, ctx.settings.quietHoursStart, ctx.settings.quietHoursEnd);
}

/**
 * Claims a slot of the daily cap (in the worker's local day). A coaching tip over the cap is
 * dropped (tomorrow it would be stale); a burnout check waits for the next morning instead.
 */
async function claimDailySlot(state: SessionState, ctx: MessageContext, message: PendingMessage, now: Date): Promise<boolean> {
  const today = localMoment(now, ctx.profile.timezone).date;
  if (state.sentToday.date !== today) state.sentToday = { date: today, count: 0 };
  if (state.sentToday.count < ctx.settings.dailyMessageCap) {
    state.sentToday.count++;
    return true;
  }
  if (message.type === 'BURNOUT_CHECK') {
    message.dueAt = nextLocalMorning(now, ctx).toISOString();
  } else {
    state.skippedByCap++;
    removePending(state, message);
    await bestEffort('counting the skipped tip', () => ctx.db.noteSkippedMessage({ workerId: ctx.workerId, reason: 'daily_cap', key: message.key }));
  }
  return false;
}

async function sendWhenAllowed(state: SessionState, ctx: MessageContext, message: PendingMessage, now: Date): Promise<void> {
  const allowedAt = endOfQuietHours(now, ctx.profile.timezone, ctx.settings.quietHoursStart, ctx.settings.quietHoursEnd);
  if (allowedAt.getTime() > now.getTime()) {
    message.dueAt = allowedAt.toISOString();
    return;
  }
  if (!(await claimDailySlot(state, ctx, message, now))) return;

  const composed = await compose(ctx, message);
  if (!composed) {
    state.sentToday.count--;
    removePending(state, message);
    return;
  }
  message.composed = composed;
  const channels: Channel[] = ctx.profile.hasEmail ? ['IN_APP', 'EMAIL'] : ['IN_APP'];
  const ids = await bestEffort('storing the message', () => deliver(ctx, message, composed, message.key, channels));
  if (!ids) {
    removePending(state, message);
    return;
  }
  message.messageIds = ids;
  const sentAt = Date.now();
  message.stage = 'AWAITING_ACK';
  message.sentAt = new Date(sentAt).toISOString();
  message.reminderAt = new Date(sentAt + ctx.settings.ackReminderSeconds * SECOND).toISOString();
  message.timeoutAt = new Date(sentAt + ctx.settings.ackTimeoutSeconds * SECOND).toISOString();
}

async function compose(ctx: MessageContext, message: PendingMessage): Promise<ComposedMessage | undefined> {
  try {
    return await composeSafeMessage({ agent: 'coachnova', messageType: message.type, locale: ctx.profile.locale, context: message.context });
  } catch (error) {
    // No safe text could be written (even the template failed) or the activities are down:
    // nothing unsafe is ever sent, so the message is dropped and the reason logged.
    if (!isActivityOutcome(error)) throw error;
    log.error('coachnova: no safe message could be composed', { key: message.key, error: error.message });
    return undefined;
  }
}

/** Records one row per channel (IN_APP is delivered by being stored) and emails the EMAIL row. */
async function deliver(ctx: MessageContext, message: PendingMessage, composed: ComposedMessage, key: string, channels: readonly Channel[]): Promise<string[]> {
  const ids: string[] = [];
  for (const channel of channels) {
    const { messageId } = await ctx.db.recordMessage({
      idempotencyKey: `${key}:${channel.toLowerCase()}`,
      userId: ctx.workerId,
      workerId: ctx.workerId,
      role: 'WORKER',
      agent: 'coachnova',
      channel,
      messageType: message.type,
      locale: ctx.profile.locale,
      composed,
      correlationId: message.correlationId ?? null,
      workflowId: ctx.workflowId,
    });
    ids.push(messageId);
    if (channel === 'IN_APP') await ctx.db.markInAppDelivered({ messageId });
    if (channel === 'EMAIL') await sendEmail(ctx, messageId);
  }
  return ids;
}

async function sendEmail(ctx: MessageContext, messageId: string): Promise<void> {
  try {
    await mail.sendMessageEmail({ messageId, marketing: false });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    await bestEffort('marking the email failed', () =>
      ctx.db.markMessageFailed({ messageId, error: error.cause?.message ?? error.message }),
    );
  }
}

const REMINDER_PREFIX = { bn: 'অনুস্মারক: ', en: 'Reminder: ' } as const;

/** The same checked text under a "Reminder:" subject; the body, and so its safety verdict, is unchanged. */
function asReminder(composed: ComposedMessage, locale: 'bn' | 'en'): ComposedMessage {
  const subject = `${REMINDER_PREFIX[locale]}${composed.draft.subject}`.slice(0, 150);
  return { ...composed, draft: { ...composed.draft, subject } };
}

async function followUp(state: SessionState, ctx: MessageContext, message: PendingMessage, now: Date): Promise<void> {
  if (now.getTime() >= Date.parse(message.timeoutAt!)) {
    removePending(state, message);
    for (const messageId of message.messageIds) {
      await bestEffort('recording IGNORED', () => ctx.db.recordMessageResponse({ messageId, response: 'IGNORED', at: now.toISOString() }));
    }
    return;
  }
  const allowedAt = endOfQuietHours(now, ctx.profile.timezone, ctx.settings.quietHoursStart, ctx.settings.quietHoursEnd);
  if (allowedAt.getTime() > now.getTime()) {
    // A reminder never wakes anyone at night; if the night outlasts the wait, there is none.
    if (allowedAt.getTime() < Date.parse(message.timeoutAt!)) message.reminderAt = allowedAt.toISOString();
    else message.reminded = true;
    return;
  }
  message.reminded = true;
  if (!message.composed) return;
  const channel: Channel = ctx.profile.hasEmail ? 'EMAIL' : 'IN_APP';
  const ids = await bestEffort('sending the reminder', () =>
    deliver(ctx, message, asReminder(message.composed!, ctx.profile.locale), `${message.key}:reminder`, [channel]),
  );
  message.messageIds.push(...(ids ?? []));
}
