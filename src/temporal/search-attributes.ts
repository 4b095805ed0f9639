import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes that make runs findable in the Temporal UI ("CustomerId = '…'").
 * Registered on the dev server at start and set by every workflow.
 */
export const AgentTypeKey = defineSearchAttributeKey('AgentType', SearchAttributeType.KEYWORD);
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const WorkerIdKey = defineSearchAttributeKey('WorkerId', SearchAttributeType.KEYWORD);
export const CampaignIdKey = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const CorrelationIdKey = defineSearchAttributeKey('CorrelationId', SearchAttributeType.KEYWORD);
export const RiskLevelKey = defineSearchAttributeKey('RiskLevel', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [AgentTypeKey, CustomerIdKey, WorkerIdKey, CampaignIdKey, CorrelationIdKey, RiskLevelKey];

/** `--search-attribute` flags for `temporal server start-dev`. */
export function searchAttributeFlags(names: string[] = SEARCH_ATTRIBUTES.map((key) => key.name)): string[] {
  return names.flatMap((name) => ['--search-attribute', `${name}=Keyword`]);
}
