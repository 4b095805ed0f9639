import type { CompiledQuery } from 'kysely';
import type { Pool } from 'pg';

export interface PlanSummary {
  /** Every index the plan reads, with the scan type. */
  indexes: string[];
  /** Relations read by a sequential scan, with the rows the scan produced. */
  seqScans: Array<{ relation: string; rows: number }>;
  executionMs: number;
  sharedHitBlocks: number;
  sharedReadBlocks: number;
  /** The plan as PostgreSQL prints it, for the reader of results.json. */
  text: string[];
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

function walk(node: PlanNode, visit: (n: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

/** EXPLAIN (ANALYZE, BUFFERS) of a query Kysely ran, summarised: which indexes, which seq scans. */
export async function explainAnalyze(pool: Pool, query: CompiledQuery): Promise<PlanSummary> {
  const params = query.parameters as unknown[];
  const json = await pool.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.sql}`, params);
  const text = await pool.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${query.sql}`, params);
  const top = json.rows[0]['QUERY PLAN'][0] as { Plan: PlanNode & Record<string, number>; 'Execution Time': number };
  const indexes = new Set<string>();
  const seqScans: PlanSummary['seqScans'] = [];
  walk(top.Plan, (n) => {
    if (n['Index Name']) indexes.add(`${n['Index Name']} (${n['Node Type']})`);
    if (n['Node Type'] === 'Seq Scan' && n['Relation Name']) {
      seqScans.push({ relation: n['Relation Name'], rows: (n['Actual Rows'] ?? 0) * (n['Actual Loops'] ?? 1) });
    }
  });
  return {
    indexes: [...indexes],
    seqScans,
    executionMs: top['Execution Time'],
    sharedHitBlocks: top.Plan['Shared Hit Blocks'] ?? 0,
    sharedReadBlocks: top.Plan['Shared Read Blocks'] ?? 0,
    text: text.rows.map((r) => r['QUERY PLAN'] as string),
  };
}
