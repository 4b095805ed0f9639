/**
 * Who may call each route: one rule per operation, published in the OpenAPI document as
 * `x-access` (with the matching `security` requirement) and checked route × identity by
 * test/security/authorization-matrix.test.ts, which fails for a route without a rule.
 */
export type AccessRule =
  /** Anyone; a token, if sent, is ignored. */
  | 'public'
  /** Anyone holding the signed token in the path (a deep link, an unsubscribe link). */
  | 'link-token'
  /** Its owner (the message's recipient, the booking's customer) or an operator. */
  | 'owner-or-operator'
  /** A signed-in customer (for themself) or an operator (naming the customer). */
  | 'customer-or-operator'
  /** An operator token or the internal API key. */
  | 'operator'
  /** Public in development; an operator token or the internal API key in production. */
  | 'operator-in-production';

export interface RouteAccess {
  rule: AccessRule;
  who: string;
}

const OPERATOR: RouteAccess = { rule: 'operator', who: 'operators (operator token or x-api-key)' };
const PUBLIC: RouteAccess = { rule: 'public', who: 'anyone' };

/** Keyed by `METHOD /openapi/{path}`. */
export const ROUTE_ACCESS: Record<string, RouteAccess> = {
  'GET /health': PUBLIC,
  'GET /health/live': PUBLIC,
  'GET /metrics': { rule: 'operator-in-production', who: 'anyone in development; operators in production' },
  'POST /auth/request-otp': PUBLIC,
  'POST /auth/verify-otp': PUBLIC,
  'GET /services': PUBLIC,
  'GET /l/{token}': { rule: 'link-token', who: 'whoever holds the signed deep link (purpose deep_link)' },
  'GET /unsubscribe/{token}': { rule: 'link-token', who: 'whoever holds the signed unsubscribe link (purpose unsubscribe)' },
  'POST /unsubscribe/{token}': { rule: 'link-token', who: 'whoever holds the signed unsubscribe link (purpose unsubscribe)' },
  'POST /bookings': { rule: 'customer-or-operator', who: 'a customer for themself, or an operator naming the customer' },
  'POST /bookings/{id}/complete': { rule: 'owner-or-operator', who: "the booking's customer, or an operator" },
  'GET /messages/{id}': { rule: 'owner-or-operator', who: "the message's recipient (customer or worker), or an operator" },
  'POST /messages/{id}/ack': { rule: 'owner-or-operator', who: "the message's recipient, or an operator" },
  'POST /messages/{id}/reply': { rule: 'owner-or-operator', who: "the message's recipient, or an operator" },
  'POST /codec/decode': OPERATOR,
  'POST /codec/encode': OPERATOR,
  'POST /internal/ai/smartengage/run-segment': OPERATOR,
  'GET /internal/ai/smartengage/jobs/{job_id}': OPERATOR,
  'GET /internal/ai/smartengage/schedules': OPERATOR,
  'POST /internal/ai/smartengage/schedules': OPERATOR,
  'GET /internal/ai/smartengage/schedules/{schedule_id}': OPERATOR,
  'DELETE /internal/ai/smartengage/schedules/{schedule_id}': OPERATOR,
  'POST /internal/ai/smartengage/schedules/{schedule_id}/pause': OPERATOR,
  'POST /internal/ai/smartengage/schedules/{schedule_id}/unpause': OPERATOR,
  'POST /internal/ai/smartengage/schedules/{schedule_id}/trigger': OPERATOR,
  'POST /internal/ai/coachnova/events': OPERATOR,
  'POST /internal/ai/coachnova/workers/{id}/check-in': OPERATOR,
  'GET /internal/ai/coachnova/workers/{id}': OPERATOR,
  'GET /internal/analytics/smartengage': OPERATOR,
  'GET /internal/replies': OPERATOR,
  'GET /internal/console/settings': OPERATOR,
  'GET /internal/console/campaigns': OPERATOR,
  'GET /internal/console/customers': OPERATOR,
  'GET /internal/console/customers/{id}': OPERATOR,
  'GET /internal/console/coachnova/workers': OPERATOR,
  'GET /internal/console/coachnova/activity': OPERATOR,
  'GET /internal/analytics/smartengage/experiments/{job_id}': OPERATOR,
  'GET /internal/analytics/smartengage/experiments/{job_id}/assignments': OPERATOR,
  'GET /internal/ai/smartengage/customers/{id}/timeline': OPERATOR,
  'GET /internal/prompts': OPERATOR,
  'POST /internal/prompts': OPERATOR,
  'GET /internal/prompts/{id}': OPERATOR,
  'POST /internal/prompts/{id}/preview': OPERATOR,
  'POST /internal/prompts/{id}/activate': OPERATOR,
  'GET /internal/approvals': OPERATOR,
  'POST /internal/approvals/{message_id}': OPERATOR,
};

/** Every path under /internal is operators-only whatever the table says (the app mounts the check there). */
export function accessFor(method: string, path: string): RouteAccess | undefined {
  const declared = ROUTE_ACCESS[`${method.toUpperCase()} ${path}`];
  if (path.startsWith('/internal/')) return declared?.rule === 'operator' ? declared : declared && OPERATOR;
  return declared;
}

/** The OpenAPI `security` requirement of a rule (an empty object: may be called without). */
export function securityRequirement(rule: AccessRule): Array<Record<string, string[]>> {
  switch (rule) {
    case 'operator':
    case 'owner-or-operator':
    case 'customer-or-operator':
      return [{ bearer: [] }, { apiKey: [] }];
    case 'operator-in-production':
      return [{}, { bearer: [] }, { apiKey: [] }];
    default:
      return [{}];
  }
}
