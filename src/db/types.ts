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

export interface SafetyChecks {
  safe: boolean;
  checks: Array<{ name: string; passed: boolean; detail?: string; score?: number }>;
  attempts?: number;
  rejected?: Array<{ attempt: number; failed: string[] }>;
  fallback_reason?: string;
  [key: string]: unknown;
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

export interface PromptTemplatesTable {
  id: Generated<string>;
  agent_type: AgentType;
  message_type: MessageType;
  locale: Locale;
  version: number;
  system_prompt: string;
  user_prompt: string;
  fallback_subject: string;
  fallback_text: string;
  is_active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
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

export interface Database {
  users: UsersTable;
  customers: CustomersTable;
  workers: WorkersTable;
  services: ServicesTable;
  bookings: BookingsTable;
  ai_messages: AiMessagesTable;
  prompt_templates: PromptTemplatesTable;
  campaigns: CampaignsTable;
  contact_claims: ContactClaimsTable;
  otp_codes: OtpCodesTable;
  rate_limits: RateLimitsTable;
  deep_links: DeepLinksTable;
  burnout_assessments: BurnoutAssessmentsTable;
  supervisor_alerts: SupervisorAlertsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Service = Selectable<ServicesTable>;
export type Booking = Selectable<BookingsTable>;
export type AiMessage = Selectable<AiMessagesTable>;
export type AiMessageUpdate = Updateable<AiMessagesTable>;
export type PromptTemplate = Selectable<PromptTemplatesTable>;
export type Campaign = Selectable<CampaignsTable>;
