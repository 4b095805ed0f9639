import type { Migration } from 'kysely/migration';
import * as initialSchema from './0001_initial_schema';
import * as seedPromptTemplates from './0002_seed_prompt_templates';
import * as messageWorkflowLink from './0003_message_workflow_link';
import * as smartengageIndexes from './0004_smartengage_indexes';
import * as coachnovaIdempotency from './0005_coachnova_idempotency';
import * as messageCallToAction from './0007_message_call_to_action';
import * as segmentPlannerStatistics from './0008_segment_planner_statistics';
import * as rateLimits from './0013_rate_limits';

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
  '0013_rate_limits': rateLimits,
};
