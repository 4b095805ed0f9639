import type { BurnoutAssessment } from '../coachnova/core/burnout-score';
import { contactsSkipped, messagesSent } from '../lib/metrics';
import { sendSupervisorAlert, type SupervisorAlertInput } from '../coachnova/supervisor-alert';
import { loadWorkerProfile, loadWorkWindow, type WorkerProfile } from '../coachnova/work-history';
import type { JobRecord } from '../coachnova/core/work-window';
import { coachingSettingsFromConfig, type CoachingSettings } from '../coachnova/settings';
import type { ActivityDeps } from './deps';

export interface StoreAssessmentInput {
  idempotencyKey: string;
  workerId: string;
  assessment: BurnoutAssessment;
  /** What prompted it: the events processed, or "timer". */
  trigger: string;
  assessedAt: string;
  correlationId?: string | null;
}

/** CoachNova's own side effects; messages go through the shared messaging activities. */
export function createCoachnovaActivities({ db, mailer, logger, config }: ActivityDeps) {
  return {
    /** The coaching settings of today's configuration, which a long session takes up at continue-as-new. */
    async loadCoachingSettings(): Promise<CoachingSettings> {
      return coachingSettingsFromConfig(config);
    },

    /** The worker's name, language and timezone; whether addresses exist, never the addresses. */
    async loadCoachingProfile({ workerId }: { workerId: string }): Promise<WorkerProfile | null> {
      return loadWorkerProfile(db, workerId);
    },

    /** Completed jobs since `sinceIso`: what a new session starts its rolling window from. */
    async loadRecentJobs({ workerId, sinceIso, maxJobs }: { workerId: string; sinceIso: string; maxJobs: number }): Promise<JobRecord[]> {
      return (await loadWorkWindow(db, workerId, new Date(sinceIso), maxJobs)).jobs;
    },

    /** The booked service's name in the worker's language, for the tip's context. */
    async loadBookingServiceName({ bookingId, locale }: { bookingId: string; locale: 'bn' | 'en' }): Promise<string | null> {
      const row = await db
        .selectFrom('bookings')
        .innerJoin('services', 'services.id', 'bookings.service_id')
        .select(['services.name', 'services.name_bn'])
        .where('bookings.id', '=', bookingId)
        .executeTakeFirst();
      if (!row) return null;
      return locale === 'bn' ? row.name_bn : row.name;
    },

    /** Stores assessments (a session writes them in batches), each once per idempotency key. */
    async storeBurnoutAssessments({ assessments }: { assessments: StoreAssessmentInput[] }): Promise<void> {
      if (assessments.length === 0) return;
      await db
        .insertInto('burnout_assessments')
        .values(
          assessments.map((input) => ({
            idempotency_key: input.idempotencyKey,
            worker_id: input.workerId,
            score: input.assessment.score,
            level: input.assessment.level,
            factors: JSON.stringify(input.assessment.factors),
            trigger: input.trigger,
            correlation_id: input.correlationId ?? null,
            assessed_at: input.assessedAt,
          })),
        )
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .execute();
    },

    /** An IN_APP message is delivered once stored: the worker app reads it from the database. */
    async markInAppDelivered({ messageId }: { messageId: string }): Promise<void> {
      const delivered = await db
        .updateTable('ai_messages')
        .set({ delivery_status: 'DELIVERED', sent_at: new Date(), updated_at: new Date() })
        .where('id', '=', messageId)
        .where('channel', '=', 'IN_APP')
        .where('delivery_status', '=', 'PENDING')
        .returning(['agent_type', 'message_type'])
        .executeTakeFirst();
      if (delivered) messagesSent.inc({ agent: delivered.agent_type, message_type: delivered.message_type, channel: 'IN_APP' });
    },

    /** A message not sent (e.g. over the daily cap): counted for /metrics and logged. */
    async noteSkippedMessage({ workerId, reason, key }: { workerId: string; reason: string; key: string }): Promise<void> {
      contactsSkipped.inc({ agent: 'coachnova', reason });
      logger.info({ workerId, reason, key }, 'coachnova message skipped');
    },

    async sendSupervisorAlert(input: SupervisorAlertInput) {
      const result = await sendSupervisorAlert(db, mailer, input);
      logger.info({ workerId: input.workerId, correlationId: input.correlationId, result }, 'coachnova supervisor alert');
      return result;
    },
  };
}
