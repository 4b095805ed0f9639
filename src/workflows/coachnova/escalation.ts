import { contributingFactors } from '../../coachnova/core/burnout-score';
import { describeFactors } from '../../coachnova/core/factor-labels';
import { bestEffort, store } from './activities';
import type { SessionState } from './definitions';
import { scheduleMessage, type MessageContext } from './messages';

/**
 * HIGH risk → a kind BURNOUT_CHECK to the worker and an alert to the supervisor, once per HIGH
 * episode: not again until the risk has dropped below HIGH and risen again, and not before the
 * cool-down since the last escalation has passed (a HIGH during the cool-down escalates at the
 * first assessment after it, if still HIGH).
 */
export async function escalateIfNeeded(state: SessionState, ctx: MessageContext, now: Date, correlationId?: string): Promise<void> {
  const risk = state.risk;
  if (!risk) return;
  if (risk.level !== 'HIGH') {
    state.escalation.escalatedThisEpisode = false;
    return;
  }
  const { escalatedThisEpisode, lastEscalatedAt, count } = state.escalation;
  if (escalatedThisEpisode) return;
  if (lastEscalatedAt && now.getTime() - Date.parse(lastEscalatedAt) < ctx.settings.escalationCooldownSeconds * 1000) return;

  const sequence = count + 1;
  state.escalation = { escalatedThisEpisode: true, lastEscalatedAt: now.toISOString(), count: sequence };
  const key = `coachnova:escalation:${ctx.workerId}:${state.sessionId}:${sequence}`;
  const factors = contributingFactors(risk);
  scheduleMessage(
    state,
    ctx,
    {
      key: `${key}:check`,
      type: 'BURNOUT_CHECK',
      reasons: factors.map((f) => f.name),
      context: { first_name: ctx.profile.firstName, factors: describeFactors(factors, ctx.profile.locale).join('; ') },
      correlationId,
    },
    now,
  );
  // The supervisor is told at once, whatever the worker's quiet hours. An ordinary activity
  // even where the database steps are local: it sends mail, which may take its retries.
  await bestEffort('alerting the supervisor', () =>
    store.sendSupervisorAlert({ idempotencyKey: `${key}:supervisor`, workerId: ctx.workerId, assessment: risk, correlationId, workflowId: ctx.workflowId }),
  );
}
