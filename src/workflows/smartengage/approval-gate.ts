import { ApplicationFailure, condition, getExternalWorkflowHandle, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ApprovalDecision, SafetyChecks } from '../../db/types';
import type { ComposedMessage } from '../../messaging/types';
import { approvalRequest } from '../../smartengage/core/approval-request';
import type { ApprovalGate as ApprovalGateState, ApprovalDecisionInput, ApprovalSettings, OpenApprovalInput, ReengagementInput, ReminderContext } from '../../smartengage/types';
import {
  APPROVAL_ALREADY_DECIDED,
  APPROVAL_UNKNOWN,
  approvalDecisionUpdate,
  reengagementAwaitingApprovalSignal,
  type ReengagementStatus,
} from './definitions';

/** Used by runs whose input predates the gate (their settings carry none). */
const DEFAULT_APPROVAL: ApprovalSettings = { timeoutSeconds: 24 * 3600, moderationScore: 0.4, scriptMargin: 0.05 };

type GateActivities = Pick<Activities, 'openMessageApproval' | 'recordApprovalDecision' | 'renderTemplateDraft' | 'checkSafety'>;

export interface GateResult {
  /** The id the reminder is recorded under (the one operators saw in the queue). */
  messageId: string;
  /** What to send: the draft (no review needed, or approved) or the approved template. */
  composed: ComposedMessage;
  /** The run waited for a decision, so the send window must be looked at again. */
  waited: boolean;
}

/**
 * The operator's side of one run: the Update handler, registered when the run starts so that a
 * decision for a run that is not waiting is refused by the validator rather than left unhandled.
 */
export class ApprovalGate {
  private pendingId: string | null = null;
  private decision: (Omit<ApprovalDecisionInput, 'decision'> & { decision: ApprovalDecision }) | null = null;
  private stored = false;

  constructor() {
    setHandler(
      approvalDecisionUpdate,
      async (input) => {
        this.decision = input;
        await condition(() => this.stored);
        return { messageId: input.messageId, decision: input.decision, outcome: input.decision === 'approve' ? 'draft_will_be_sent' : 'template_will_be_sent' };
      },
      {
        validator: (input) => {
          if (input.messageId !== this.pendingId) throw ApplicationFailure.create({ type: APPROVAL_UNKNOWN, message: `this run is not waiting for a decision on message ${input.messageId}`, nonRetryable: true });
          if (this.decision) throw ApplicationFailure.create({ type: APPROVAL_ALREADY_DECIDED, message: `message ${input.messageId} was already decided (${this.decision.decision})`, nonRetryable: true });
        },
      },
    );
  }

  /**
   * DESIGN.md Part 2: a draft written by a canary version (while its review slots last) or a
   * flagged one waits here for an operator's decision. Approve → the draft; reject, or no
   * decision within the timeout → the approved template, checked for safety like any message.
   */
  async review(
    input: ReengagementInput,
    reminder: ReminderContext,
    composed: ComposedMessage,
    acts: GateActivities,
    status: ReengagementStatus,
    /** How the gate is opened: `openMessageApproval`, or a step that also records the message when it need not wait. */
    open: (request: OpenApprovalInput) => Promise<ApprovalGateState> = (request) => acts.openMessageApproval(request),
  ): Promise<GateResult> {
    const { locale, context } = reminder;
    const { workflowId } = workflowInfo();
    const settings = input.settings.approval ?? DEFAULT_APPROVAL;
    const messageId = uuid4();
    // Accepted from the moment the queue row can exist: an operator may decide before the
    // activity's result reaches this run.
    this.pendingId = messageId;
    const gate = await open(
      approvalRequest({
        messageId,
        workflowId,
        customerId: input.customerId,
        campaignId: input.campaignId,
        locale,
        composed,
        settings,
        holdClaimHours: input.settings.frequencyCapHours,
      }),
    );
    if (!gate.wait) {
      this.pendingId = null;
      return { messageId, composed, waited: false };
    }

    status.phase = 'awaiting_approval';
    status.messageId = messageId;
    if (input.reportTo) {
      try {
        await getExternalWorkflowHandle(input.reportTo).signal(reengagementAwaitingApprovalSignal, { workflowId });
      } catch {
        // the campaign has already closed
      }
    }
    const decided = await condition(() => this.decision !== null, settings.timeoutSeconds * 1000);
    if (!decided) this.decision = { messageId, decision: 'timeout', decidedBy: 'smartengage', note: `no decision within ${settings.timeoutSeconds} s` };
    const decision = this.decision!;
    await acts.recordApprovalDecision({ messageId, decision: decision.decision, note: decision.note ?? null, decidedBy: decision.decidedBy });
    this.stored = true;
    const review = { reason: gate.reason, decision: decision.decision, decided_by: decision.decidedBy, ...(decision.note ? { note: decision.note } : {}) };
    if (decision.decision === 'approve') {
      return { messageId, composed: { ...composed, safetyChecks: { ...composed.safetyChecks, review } }, waited: true };
    }
    const reason = decision.decision === 'reject' ? 'approval_rejected' : 'approval_timeout';
    const template = await acts.renderTemplateDraft({ agent: 'smartengage', messageType: 'REMINDER', locale, context, reason, templateId: gate.fallbackTemplateId });
    const verdict = await acts.checkSafety({ draft: template.draft, locale, allowedNames: [context.first_name, context.service_name], agent: 'smartengage' });
    if (!verdict.safe) {
      throw ApplicationFailure.create({ type: 'NoSafeMessage', message: `the approved template failed ${verdict.checks.filter((c) => !c.passed).map((c) => c.name).join(', ')}`, nonRetryable: true });
    }
    const safetyChecks: SafetyChecks = { safe: true, checks: verdict.checks, attempts: 1, rejected: [], fallback_reason: reason, review };
    return { messageId, composed: { ...template, safetyChecks }, waited: true };
  }
}
