import { getHeapStatistics } from 'node:v8';
import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * Process-wide Prometheus metrics. The API serves them at /metrics; in `npm start` the worker
 * runs in the same process so agent counters appear there too.
 */
let defaultsStarted = false;
export function startProcessMetrics(): void {
  if (defaultsStarted) return;
  defaultsStarted = true;
  collectDefaultMetrics({ register });
  // prom-client reports the heap's use, not its ceiling: this shows the worker's cap took effect
  new Gauge({
    name: 'nodejs_heap_size_limit_bytes',
    help: 'V8 heap size limit of this process (set by --max-old-space-size; WORKER_MAX_OLD_SPACE_MB for the worker)',
    collect() {
      this.set(getHeapStatistics().heap_size_limit);
    },
  });
}

export const metricsRegistry = register;

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency by route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

export const messagesSent = new Counter({
  name: 'shoktiai_messages_sent_total',
  help: 'Messages handed to a delivery channel',
  labelNames: ['agent', 'message_type', 'channel'] as const,
});

export const messagesFailed = new Counter({
  name: 'shoktiai_messages_failed_total',
  help: 'Messages that failed delivery after their last retry',
  labelNames: ['agent', 'message_type'] as const,
});

export const contactsSkipped = new Counter({
  name: 'shoktiai_contacts_skipped_total',
  help: 'Contacts not made, by reason (no consent, frequency cap, ...)',
  labelNames: ['agent', 'reason'] as const,
});

export const emailUnknownOutcomeResends = new Counter({
  name: 'shoktiai_email_unknown_outcome_resends_total',
  help: 'Emails sent again after an attempt whose outcome is unknown (worker lost or connection cut before SENT was recorded): each may be a second copy with the same Message-ID',
  labelNames: ['agent', 'message_type'] as const,
});

export const emailUnknownOutcomeConfirmed = new Counter({
  name: 'shoktiai_email_unknown_outcome_confirmed_total',
  help: "Emails whose earlier attempt's outcome was unknown and which were found in the sender's Sent mailbox (SENT_MAILBOX_URL): recorded SENT without sending again",
  labelNames: ['agent', 'message_type'] as const,
});

export const emailSentMailboxUnavailable = new Counter({
  name: 'shoktiai_email_sent_mailbox_unavailable_total',
  help: 'Sent-mailbox checks before an in-doubt resend that could not answer (timeout, unreachable, login refused, ...): the email was sent again',
  labelNames: ['problem'] as const,
});

export const emailAcceptToRecord = new Histogram({
  name: 'shoktiai_email_accept_to_record_seconds',
  help: "From the mail server's acceptance of an email to SENT recorded: a crash in this window makes the retry send it again",
  buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});

export const safetyRejections = new Counter({
  name: 'shoktiai_safety_rejections_total',
  help: 'Generated texts rejected by the safety filter, by failed check',
  labelNames: ['agent', 'check'] as const,
});

export const llmFallbacks = new Counter({
  name: 'shoktiai_llm_fallbacks_total',
  help: 'Messages that fell back to the approved template, by reason',
  labelNames: ['agent', 'reason'] as const,
});

export const repliesUnderstood = new Counter({
  name: 'shoktiai_replies_total',
  help: 'Replies to messages, by the intent they were classified as and the channel they came by (email, in_app)',
  labelNames: ['intent', 'channel'] as const,
});
