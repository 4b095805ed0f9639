import { Kysely, sql } from 'kysely';

/**
 * Runs a SQL script one statement at a time. PGlite (like any extended-protocol client) takes
 * one statement per query, so migrations split their scripts here rather than relying on the
 * pg driver's multi-statement simple protocol. Statements end with `;` at the end of a line.
 */
export async function runScript(db: Kysely<any>, script: string): Promise<void> {
  const statements = script
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
