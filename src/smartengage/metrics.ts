import { Counter } from 'prom-client';

/** SmartEngage counters beyond the shared message metrics of src/lib/metrics.ts. */
export const campaignsStarted = new Counter({
  name: 'shoktiai_smartengage_campaigns_started_total',
  help: 'SmartEngage campaigns started, by trigger (api, schedule)',
  labelNames: ['trigger'] as const,
});

export const deepLinkClicks = new Counter({
  name: 'shoktiai_smartengage_deep_link_clicks_total',
  help: 'Tracked deep-link requests, by outcome (redirected, expired, invalid)',
  labelNames: ['outcome'] as const,
});

export const attributedBookings = new Counter({
  name: 'shoktiai_smartengage_attributed_bookings_total',
  help: 'Bookings created with a deep-link token and attributed to their message',
});

export const approvalsOpened = new Counter({
  name: 'shoktiai_smartengage_approvals_opened_total',
  help: 'Reminders that waited for an operator, by reason (canary, flagged)',
  labelNames: ['reason'] as const,
});

export const approvalsDecided = new Counter({
  name: 'shoktiai_smartengage_approvals_decided_total',
  help: 'Decisions on waiting reminders, by decision (approve, reject, timeout)',
  labelNames: ['decision'] as const,
});
