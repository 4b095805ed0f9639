import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Kysely's view of the schema in `migrations/`. Kept by hand next to the migrations;
 * test/platform/schema.test.ts checks that tables and columns here and in a freshly migrated
 * database are the same (and its table map is type-checked against `Database`).
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | T, string | T>;
/** numeric comes back from pg as a string to keep precision. */
type Numeric = ColumnType<string, number | string, number | string>;

export type UserRole = 'customer' | 'worker' | 'operator';
export type Locale = 'bn' | 'en';
export type ServiceCategory =
  | 'CLEANING'
  | 'AC_REPAIR'
  | 'PLUMBING'
  | 'ELECTRICAL'
  | 'BEAUTY'
  | 'PEST_CONTROL'
  | 'SHIFTING'
  | 'APPLIANCE_REPAIR'
  | 'PAINTING'
  | 'CARPENTRY';
export const SERVICE_CATEGORIES: readonly ServiceCategory[] = [
  'CLEANING',
  'AC_REPAIR',
  'PLUMBING',
  'ELECTRICAL',
  'BEAUTY',
  'PEST_CONTROL',
  'SHIFTING',
  'APPLIANCE_REPAIR',
  'PAINTING',
  'CARPENTRY',
];
export type BookingStatus = 'PENDING' | 'CONFIRMED' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELLED';
/**
 * A booking still to happen: such a customer needs no reminder. The same list stands literally in
 * `contact-claim.ts`'s SQL and in the partial index of migration 0004 (a predicate must be literal
 * to match the index); change them together.
 */
export const OPEN_BOOKING_STATUSES: readonly BookingStatus[] = ['PENDING', 'CONFIRMED', 'IN_PROGRESS'];
export type MessageRole = 'CUSTOMER' | 'WORKER';
export type AgentType = 'smartengage' | 'coachnova';
export type Channel = 'SMS' | 'EMAIL' | 'APP_PUSH' | 'WHATSAPP' | 'IN_APP';
export type MessageType = 'REMINDER' | 'COACHING' | 'BURNOUT_CHECK' | 'UPSELL';
export type DeliveryStatus = 'PENDING' | 'SENT' | 'DELIVERED' | 'FAILED';
export type UserResponse = 'CLICKED' | 'REPLIED' | 'IGNORED' | 'BOOKED' | 'ACKNOWLEDGED';
export type CampaignStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
export type RiskLevel = 'LOW' | 'MODERATE' | 'HIGH';

export interface Consent {
  marketing?: boolean;
  [purpose: string]: boolean | undefined;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  phone: string | null;
  full_name: string;
  role: ColumnType<UserRole, UserRole | undefined, UserRole>;
  locale: ColumnType<Locale, Locale | undefined, Locale>;
  timezone: ColumnType<string, string | undefined, string>;
  consent: ColumnType<Consent, string | Consent | undefined, string | Consent>;
  is_active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CustomersTable {
  id: string;
  typical_services: ColumnType<string[], string[] | undefined, string[]>;
  last_booking_at: Timestamp | null;
}

export interface WorkersTable {
  id: string;
  skills: ColumnType<ServiceCategory[], ServiceCategory[] | undefined, ServiceCategory[]>;
  supervisor_email: string | null;
}

export interface ServicesTable {
  id: Generated<string>;
  name: string;
  name_bn: string;
  description: ColumnType<string, string | undefined, string>;
  category: ServiceCategory;
  base_price: Numeric;
  is_active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface BookingsTable {
  id: Generated<string>;
  customer_id: string;
  service_id: string;
  worker_id: string | null;
  status: ColumnType<BookingStatus, BookingStatus | undefined, BookingStatus>;
  scheduled_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  total_price: ColumnType<string, number | string | undefined, number | string>;
  rating: number | null;
  feedback: string | null;
  minutes_late: number | null;
  source_message_id: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** One check in `safety_checks.checks`: a local rule, moderation or the judge. */
export interface SafetyCheckRecord {
  name: string;
  passed: boolean;
  detail?: string;
  score?: number;
  /** The check could not run (e.g. moderation endpoint down, no context); it did not block. */
  skipped?: boolean;
  /** How bad a failure is (set on failures). */
  severity?: 'low' | 'medium' | 'high' | 'critical';
  /** Where the check matched: a draft field (subject, body, call_to_action) and offsets into it as written. */
  spans?: Array<{ field: string; start: number; end: number; text: string }>;
  /** The judge: the policy categories it found broken, its prompt version and model. */
  categories?: string[];
  prompt_version?: number;
  /** The judge: the prompt_templates row (agent 'safety') whose policy judged (since migration 0017). */
  prompt_id?: string;
  model?: string;
}

export interface SafetyChecks {
  safe: boolean;
  checks: SafetyCheckRecord[];
  attempts?: number;
  /** Every rejected attempt: the failed check names and (since issue 11) the failed checks with their spans. */
  rejected?: Array<{ attempt: number; failed: string[]; checks?: SafetyCheckRecord[] }>;
  fallback_reason?: string;
  [key: string]: unknown;
}

/** A signal owed to a workflow, written with the response it reports (migration 0015). */
export interface SignalOutboxTable {
  id: Generated<number>;
  message_id: string;
  workflow_id: string | null;
  /** The MessageResponseEvent to signal (src/messaging/types.ts). */
  event: ColumnType<unknown, string, string>;
  correlation_id: string | null;
  attempts: Generated<number>;
  next_attempt_at: Generated<Timestamp>;
  last_error: string | null;
  created_at: Generated<Timestamp>;
}

export interface AiMessagesTable {
  id: Generated<string>;
  user_id: string;
  worker_id: string | null;
  role: MessageRole;
  agent_type: AgentType;
  channel: Channel;
  message_type: MessageType;
  subject: string | null;
  message_text: string;
  /** The button label; part of the text that passed the safety check (migration 0007). */
  call_to_action: string | null;
  /** Held while a delivery attempt is talking to the mail server (migration 0007). */
  send_lease_until: Timestamp | null;
  /** The delivery attempt holding the lease (it renews and releases only its own). */
  send_lease_owner: string | null;
  /** Sends made after an attempt whose outcome is unknown: each may be a second copy (migration 0022). */
  unknown_outcome_resends: ColumnType<number, number | undefined, number>;
  /** In-doubt takeovers whose earlier send was found in the Sent mailbox: recorded SENT, not mailed again (migration 0024). */
  unknown_outcome_confirmed: ColumnType<number, number | undefined, number>;
  locale: ColumnType<Locale, Locale | undefined, Locale>;
  deep_link: string | null;
  template_id: string | null;
  campaign_id: string | null;
  correlation_id: string | null;
  model: string | null;
  prompt_version: number | null;
  safety_checks: Json<SafetyChecks | Record<string, never>>;
  delivery_status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>;
  provider_message_id: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  error: string | null;
  sent_at: Timestamp | null;
  user_response: UserResponse | null;
  responded_at: Timestamp | null;
  idempotency_key: string | null;
  /** The workflow that follows this message up (signals for clicks, replies, acks go there). */
  workflow_id: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/**
 * Whose prompt a version is: an agent's drafting prompt, the safety judge's policy (agent
 * 'safety', type 'JUDGE'; migration 0017 made these columns text with CHECKs), or the reply
 * classifier (type 'REPLY_INTENT', migration 0018; no message has either type).
 */
export type PromptAgentType = AgentType | 'safety';
export type PromptMessageType = MessageType | 'JUDGE' | 'REPLY_INTENT';

export interface PromptTemplatesTable {
  id: Generated<string>;
  agent_type: PromptAgentType;
  message_type: PromptMessageType;
  locale: Locale;
  version: number;
  system_prompt: string;
  user_prompt: string;
  /** Empty for a judge version (it has no fallback template). */
  fallback_subject: string;
  fallback_text: string;
  /** Lifecycle (migration 0009): draft → canary → active → retired. */
  status: ColumnType<PromptStatus, PromptStatus | undefined, PromptStatus>;
  /** Generated: status is canary or active (the version in use). Never written. */
  is_active: ColumnType<boolean, never, never>;
  notes: string | null;
  created_by: ColumnType<string, string | undefined, never>;
  /** Messages of a canary version that wait for an operator's decision, and how many have. */
  canary_messages: ColumnType<number, number | undefined, number>;
  canary_used: ColumnType<number, number | undefined, number>;
  activated_at: Timestamp | null;
  retired_at: Timestamp | null;
  /** The version in use when this one was last activated: its template is the approved fallback of a canary. */
  replaces_id: string | null;
  created_at: CreatedAt;
}

export type PromptStatus = 'draft' | 'canary' | 'active' | 'retired';
export type PromptEventAction = 'created' | 'canary_started' | 'activated' | 'canary_completed' | 'retired' | 'rolled_back';

/** Who did what to a prompt version and when (migration 0009); append-only. */
export interface PromptVersionEventsTable {
  id: Generated<string>;
  prompt_id: string;
  action: PromptEventAction;
  actor: string;
  details: Json<Record<string, unknown>>;
  at: CreatedAt;
}

export type ApprovalReason = 'canary' | 'flagged';
export type ApprovalDecision = 'approve' | 'reject' | 'timeout';

/** A drafted reminder waiting in its workflow for an operator's decision (migration 0010). */
export interface MessageApprovalsTable {
  /** The id the message will have in ai_messages once sent (chosen by the workflow). */
  message_id: string;
  workflow_id: string;
  customer_id: string;
  campaign_id: string | null;
  prompt_id: string;
  prompt_version: number;
  reason: ApprovalReason;
  draft: Json<{ subject: string; body: string; call_to_action: string }>;
  safety: Json<Record<string, unknown>>;
  model: string;
  waiting_since: CreatedAt;
  expires_at: Timestamp;
  decision: ApprovalDecision | null;
  note: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
}

export interface CampaignsTable {
  id: Generated<string>;
  segment_id: string;
  criteria: Json<Record<string, unknown>>;
  status: ColumnType<CampaignStatus, CampaignStatus | undefined, CampaignStatus>;
  estimated_count: ColumnType<number, number | undefined, number>;
  eligible_count: ColumnType<number, number | undefined, number>;
  sent_count: ColumnType<number, number | undefined, number>;
  failed_count: ColumnType<number, number | undefined, number>;
  skipped_count: ColumnType<number, number | undefined, number>;
  skipped_reasons: Json<Record<string, number>>;
  workflow_id: string;
  correlation_id: string | null;
  error: string | null;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ContactClaimsTable {
  user_id: string;
  agent_type: AgentType;
  claimed_at: ColumnType<Date, Date | string | undefined, Date | string>;
  expires_at: Timestamp;
  claimed_by: string;
}

export interface OtpCodesTable {
  id: Generated<string>;
  email: string;
  code_hash: string;
  expires_at: Timestamp;
  attempts: ColumnType<number, number | undefined, number>;
  consumed_at: Timestamp | null;
  created_at: CreatedAt;
}

/** Fixed-window counters shared by every API process (rate limits, OTP guesses). */
export interface RateLimitsTable {
  key: string;
  hits: number;
  reset_at: Timestamp;
}

export interface DeepLinksTable {
  token_id: string;
  customer_id: string;
  service_id: string | null;
  message_id: string | null;
  promo_code: string | null;
  expires_at: Timestamp;
  first_clicked_at: Timestamp | null;
  click_count: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
}

export interface BurnoutFactorRecord {
  name: string;
  value: number;
  limit: number;
  weight: number;
  points?: number;
}

export interface BurnoutAssessmentsTable {
  id: Generated<string>;
  worker_id: string;
  score: Numeric;
  level: RiskLevel;
  factors: Json<BurnoutFactorRecord[]>;
  trigger: string | null;
  correlation_id: string | null;
  assessed_at: ColumnType<Date, Date | string | undefined, never>;
  /** Unique per assessment (session + sequence): a retried write finds its row (migration 0005). */
  idempotency_key: string | null;
}

/** A burnout alert emailed to a worker's supervisor, once per key (migration 0005). */
export interface SupervisorAlertsTable {
  id: Generated<string>;
  worker_id: string;
  idempotency_key: string;
  score: Numeric;
  level: RiskLevel;
  factors: Json<BurnoutFactorRecord[]>;
  correlation_id: string | null;
  workflow_id: string | null;
  provider_message_id: string | null;
  sent_at: Timestamp | null;
  created_at: CreatedAt;
}

export type ArmKind = 'holdout' | 'template' | 'llm';
export type SendTimeMode = 'window' | 'personal';

/** One experiment per campaign (migration 0011). */
export interface ExperimentsTable {
  id: Generated<string>;
  campaign_id: string;
  name: string | null;
  attribution_window_seconds: number;
  created_at: CreatedAt;
}

export interface ExperimentArmsTable {
  id: Generated<string>;
  experiment_id: string;
  position: number;
  name: string;
  kind: ArmKind;
  weight: number;
  prompt_version: number | null;
  send_time: SendTimeMode | null;
}

export interface ExperimentAssignmentsTable {
  experiment_id: string;
  customer_id: string;
  arm_id: string;
  assigned_at: ColumnType<Date, Date | string | undefined, never>;
}

export type DecisionKind =
  | 'eligible'
  | 'skipped'
  | 'assigned'
  | 'scheduled'
  | 'composed'
  | 'awaiting_approval'
  | 'approved'
  | 'rejected'
  | 'sent'
  | 'failed'
  | 'clicked'
  | 'replied'
  | 'booked'
  | 'ignored';

/** A decision about a customer and the facts it was taken on (migration 0012). */
export interface CustomerDecisionsTable {
  id: Generated<string>;
  customer_id: string;
  campaign_id: string | null;
  workflow_id: string | null;
  kind: DecisionKind;
  reason: string | null;
  facts: Json<Record<string, unknown>>;
  at: ColumnType<Date, Date | string | undefined, never>;
  idempotency_key: string;
}

export type ReplyIntent = 'book' | 'reschedule' | 'question' | 'opt_out' | 'complaint' | 'other';
export type ReplyChannel = 'email' | 'in_app';
export type ReplyMood = 'ok' | 'worried' | 'unknown';

/** A reply to a message, stored once per (message, dedupe key), with what it means (migration 0018). */
export interface MessageRepliesTable {
  id: Generated<string>;
  message_id: string;
  user_id: string;
  channel: ReplyChannel;
  /** The reply without quoted history and signature. */
  text: string;
  /** The email's Message-ID, else a hash of the text: a retried delivery finds its row. */
  dedupe_key: string;
  email_message_id: string | null;
  intent: ReplyIntent | null;
  summary: string | null;
  /** YYYY-MM-DD, for book/reschedule when the reply names a date. */
  requested_date: string | null;
  mood: ReplyMood | null;
  classified_by: 'rules' | 'llm' | null;
  prompt_version: number | null;
  /** Why the rules decided alone (no LLM configured, or the call failed), when they did. */
  classifier_error: string | null;
  flags: ColumnType<string[], string[] | undefined, string[]>;
  correlation_id: string | null;
  received_at: CreatedAt;
  classified_at: Timestamp | null;
  handled_at: Timestamp | null;
}

export interface Database {
  users: UsersTable;
  customers: CustomersTable;
  workers: WorkersTable;
  services: ServicesTable;
  bookings: BookingsTable;
  ai_messages: AiMessagesTable;
  signal_outbox: SignalOutboxTable;
  prompt_templates: PromptTemplatesTable;
  prompt_version_events: PromptVersionEventsTable;
  message_approvals: MessageApprovalsTable;
  campaigns: CampaignsTable;
  contact_claims: ContactClaimsTable;
  otp_codes: OtpCodesTable;
  rate_limits: RateLimitsTable;
  deep_links: DeepLinksTable;
  burnout_assessments: BurnoutAssessmentsTable;
  supervisor_alerts: SupervisorAlertsTable;
  experiments: ExperimentsTable;
  experiment_arms: ExperimentArmsTable;
  experiment_assignments: ExperimentAssignmentsTable;
  customer_decisions: CustomerDecisionsTable;
  message_replies: MessageRepliesTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Service = Selectable<ServicesTable>;
export type Booking = Selectable<BookingsTable>;
export type AiMessage = Selectable<AiMessagesTable>;
export type AiMessageUpdate = Updateable<AiMessagesTable>;
export type PromptTemplate = Selectable<PromptTemplatesTable>;
export type Campaign = Selectable<CampaignsTable>;
