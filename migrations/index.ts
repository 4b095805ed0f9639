import type { Migration } from 'kysely/migration';
import * as initialSchema from './0001_initial_schema';
import * as seedPromptTemplates from './0002_seed_prompt_templates';
import * as messageWorkflowLink from './0003_message_workflow_link';
import * as smartengageIndexes from './0004_smartengage_indexes';
import * as coachnovaIdempotency from './0005_coachnova_idempotency';
import * as messageCallToAction from './0007_message_call_to_action';
import * as segmentPlannerStatistics from './0008_segment_planner_statistics';
import * as promptVersionLifecycle from './0009_prompt_version_lifecycle';
import * as messageApprovals from './0010_message_approvals';
import * as experiments from './0011_experiments';
import * as customerDecisions from './0012_customer_decisions';
import * as rateLimits from './0013_rate_limits';
import * as signalOutbox from './0015_signal_outbox';
import * as sendLeaseOwner from './0016_send_lease_owner';
import * as judgePromptVersions from './0017_judge_prompt_versions';
import * as replies from './0018_replies';
import * as unknownOutcomeResends from './0022_unknown_outcome_resends';
import * as unknownOutcomeConfirmed from './0024_unknown_outcome_confirmed';

/**
 * Migrations in the order they apply. Listed statically (not read from the folder) so the same
 * set runs under tsx, Jest and a bundled build alike. Names never change once released.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial_schema': initialSchema,
  '0002_seed_prompt_templates': seedPromptTemplates,
  '0003_message_workflow_link': messageWorkflowLink,
  '0004_smartengage_indexes': smartengageIndexes,
  '0005_coachnova_idempotency': coachnovaIdempotency,
  '0007_message_call_to_action': messageCallToAction,
  '0008_segment_planner_statistics': segmentPlannerStatistics,
  '0009_prompt_version_lifecycle': promptVersionLifecycle,
  '0010_message_approvals': messageApprovals,
  '0011_experiments': experiments,
  '0012_customer_decisions': customerDecisions,
  '0013_rate_limits': rateLimits,
  '0015_signal_outbox': signalOutbox,
  '0016_send_lease_owner': sendLeaseOwner,
  '0017_judge_prompt_versions': judgePromptVersions,
  '0018_replies': replies,
  '0022_unknown_outcome_resends': unknownOutcomeResends,
  '0024_unknown_outcome_confirmed': unknownOutcomeConfirmed,
};
