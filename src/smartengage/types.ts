/**
 * Types shared by the SmartEngage workflows, activities and API. Type-only (workflows import
 * them with `import type`), so nothing here may need Node at run time.
 */
import type { SegmentCriteria } from './criteria';

/** How activities are retried; short in tests (SE_ACTIVITY_RETRY_INITIAL_MS, SE_ACTIVITY_MAX_ATTEMPTS). */
export interface ActivityRetrySettings {
  initialIntervalMs: number;
  maximumAttempts: number;
}

/** Everything a re-engagement run needs to know besides whom to contact; resolved from config once. */
export interface ReengagementSettings {
  sendWindowStart: string;
  sendWindowEnd: string;
  frequencyCapHours: number;
  attributionWindowSeconds: number;
  deepLinkTtlHours: number;
  promoCode: string | null;
  /** The approved wording of the promotion (absent without one, and in runs started before it existed). */
  promoTerms?: string;
  retry: ActivityRetrySettings;
  /** Absent in runs started before the approval gate: the workflow uses the defaults then. */
  approval?: ApprovalSettings;
  /** `personal`: the customer's favourite booking hour inside the window (absent: `window`). */
  sendTime?: 'window' | 'personal';
}

export interface CampaignSettings {
  pageSize: number;
  concurrency: number;
  /** Children started by one run before it continues as new (Temporal: keep it ≲ 1,000). */
  maxChildrenPerRun: number;
  reengagement: ReengagementSettings;
}

/** What a campaign has done so far; carried across continue-as-new and stored on the campaigns row. */
export interface CampaignCounts {
  /** Customers the segment yielded (and that the campaign tried to contact). */
  eligible: number;
  started: number;
  sent: number;
  failed: number;
  skipped: number;
  skippedReasons: Record<string, number>;
}

export interface CampaignInput {
  campaignId: string;
  criteria: SegmentCriteria;
  correlationId: string;
  settings: CampaignSettings;
  /** Present from the second run on (continue-as-new). */
  state?: CampaignState;
  /** The experiment the campaign runs, stored before it started. */
  experiment?: ExperimentPlan;
}

export interface CampaignState {
  /** The segment's clock (ISO): every page of one campaign sees the same segment. */
  asOf: string;
  /** Last customer id handed out (keyset cursor). */
  cursor: string | null;
  exhausted: boolean;
  counts: CampaignCounts;
  runs: number;
  /** Children waiting for an approval decision when the previous run continued as new. */
  awaiting?: string[];
}

export type CampaignPhase = 'starting' | 'paging' | 'draining' | 'completed';

export interface CampaignProgress {
  campaignId: string;
  phase: CampaignPhase;
  cursor: string | null;
  inFlight: number;
  /** Children waiting for an operator's decision (outside the sliding window). Absent in older runs. */
  awaitingApproval?: number;
  runs: number;
  counts: CampaignCounts;
}

/** One customer of a page, as the campaign hands it to a re-engagement workflow. */
export interface SegmentPageMember {
  customerId: string;
  serviceId: string;
  /** The customer's local date at the campaign's clock: part of the per-day workflow id. */
  localDate: string;
  /** Their arm, when the campaign runs an experiment. */
  arm?: ExperimentArmPlan;
}

export interface SegmentPage {
  members: SegmentPageMember[];
  nextCursor: string | null;
}

export interface ReengagementInput {
  customerId: string;
  serviceId: string;
  campaignId: string | null;
  correlationId: string;
  settings: ReengagementSettings;
  /** The campaign workflow to tell the outcome to (by signal); absent for a stand-alone run. */
  reportTo?: string;
  /** The customer's experiment arm: how the message is written (template / llm version) and when it is sent. */
  arm?: ExperimentArmPlan;
}

export type ReengagementStatus = 'sent' | 'skipped' | 'failed';

export interface ReengagementOutcome {
  workflowId: string;
  status: ReengagementStatus;
  /** Why it was skipped or failed (no_consent, frequency_cap, already_handled, smtp …). */
  reason?: string;
  messageId?: string;
  /** The final recorded response, once the attribution window has closed. */
  response?: string;
}

export type ClaimResult = { claimed: true } | { claimed: false; reason: SkipReason };

export type SkipReason = 'no_consent' | 'inactive' | 'frequency_cap' | 'open_booking' | 'not_found' | 'already_handled';

export interface ReminderContext {
  locale: 'bn' | 'en';
  context: { first_name: string; service_name: string; days_since_last_booking: number };
}

export interface CreatedDeepLink {
  tokenId: string;
  /** The tracked URL on this API (`/l/<token>`), stored as the message's deep_link. */
  url: string;
  expiresAt: string;
}

/** The approval gate (DESIGN.md Part 2, the learning loop): why a reminder waits for an operator. */
export type ApprovalReason = 'canary' | 'flagged';

/** How a re-engagement run decides whether a draft waits; resolved from config by the API. */
export interface ApprovalSettings {
  timeoutSeconds: number;
  /** Review limits of a "flagged" draft (SE_REVIEW_MODERATION_SCORE, SE_REVIEW_SCRIPT_MARGIN). */
  moderationScore: number;
  scriptMargin: number;
}

export interface OpenApprovalInput {
  /** The id the reminder will have in ai_messages; chosen by the workflow. */
  messageId: string;
  workflowId: string;
  customerId: string;
  campaignId: string | null;
  templateId: string;
  promptVersion: number;
  locale: 'bn' | 'en';
  model: string;
  draft: { subject: string; body: string; call_to_action: string };
  /** The composed message's safety record (checks, attempts, rejected). */
  safety: Record<string, unknown>;
  settings: ApprovalSettings;
  /**
   * The run's frequency cap: while the draft waits, the run's contact claim is held for the
   * approval timeout plus this (absent in runs from before the hold: the claim is left as it is).
   */
  holdClaimHours?: number;
}

export type ApprovalGate =
  | { wait: false }
  | {
      wait: true;
      reason: ApprovalReason;
      /** False when a retried activity found the entry it had already opened. */
      opened: boolean;
      /** The approved template sent on rejection or timeout: the version a canary replaced, else the draft's own. */
      fallbackTemplateId: string;
    };

/** An operator's decision, delivered to the waiting workflow as a Workflow Update. */
export interface ApprovalDecisionInput {
  messageId: string;
  decision: 'approve' | 'reject';
  note?: string;
  decidedBy: string;
}

export interface ApprovalDecisionResult {
  messageId: string;
  decision: 'approve' | 'reject';
  /** What the workflow does next: send the draft inside the send window, or the approved template. */
  outcome: 'draft_will_be_sent' | 'template_will_be_sent';
}

/** An arm as the campaign carries it (ids from the experiment_arms row). */
export interface ExperimentArmPlan {
  id: string;
  name: string;
  kind: 'holdout' | 'template' | 'llm';
  weight: number;
  promptVersion: number | null;
  sendTime: 'window' | 'personal' | null;
}

/** A campaign's experiment: stored by the API before the campaign starts, assigned per page. */
export interface ExperimentPlan {
  experimentId: string;
  arms: ExperimentArmPlan[];
  /** The conversion window from each assignment (absent in plans made before it was carried). */
  attributionWindowSeconds?: number;
}
