import { sql } from 'kysely';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Db } from '../db/database';

/** Rows whose window ended this long ago are swept. */
const SWEEP_AFTER_MS = 3600_000;
/** One increment in this many also sweeps expired rows (no timer to stop at shutdown). */
const SWEEP_EVERY = 500;

export interface WindowCount {
  hits: number;
  resetAt: Date;
}

/**
 * Fixed-window counters in PostgreSQL (table `rate_limits`), so every API process shares them: a
 * limit holds however many replicas serve the requests. One atomic upsert per hit.
 */
export class RateLimitCounters {
  private increments = 0;

  constructor(private readonly db: Db) {}

  /** Counts one hit on `key` in a window of `windowMs`, starting a new window when the last ended. */
  async hit(key: string, windowMs: number): Promise<WindowCount> {
    if (++this.increments % SWEEP_EVERY === 0) await this.sweep();
    const { rows } = await sql<{ hits: number; reset_at: Date }>`
      INSERT INTO rate_limits (key, hits, reset_at)
      VALUES (${key}, 1, now() + make_interval(secs => ${windowMs / 1000}))
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN rate_limits.reset_at <= now() THEN 1 ELSE rate_limits.hits + 1 END,
        reset_at = CASE WHEN rate_limits.reset_at <= now() THEN EXCLUDED.reset_at ELSE rate_limits.reset_at END
      RETURNING hits, reset_at`.execute(this.db);
    return { hits: rows[0].hits, resetAt: new Date(rows[0].reset_at) };
  }

  async current(key: string): Promise<WindowCount | undefined> {
    const { rows } = await sql<{ hits: number; reset_at: Date }>`
      SELECT hits, reset_at FROM rate_limits WHERE key = ${key} AND reset_at > now()`.execute(this.db);
    return rows[0] ? { hits: rows[0].hits, resetAt: new Date(rows[0].reset_at) } : undefined;
  }

  async unhit(key: string): Promise<void> {
    await sql`UPDATE rate_limits SET hits = greatest(hits - 1, 0) WHERE key = ${key} AND reset_at > now()`.execute(this.db);
  }

  async reset(key: string): Promise<void> {
    await sql`DELETE FROM rate_limits WHERE key = ${key}`.execute(this.db);
  }

  private async sweep(): Promise<void> {
    await sql`DELETE FROM rate_limits WHERE reset_at < now() - make_interval(secs => ${SWEEP_AFTER_MS / 1000})`.execute(this.db);
  }
}

/** express-rate-limit's Store on the shared counters. */
export class PostgresRateLimitStore implements Store {
  private windowMs = 60_000;
  /** Counters are shared with other processes, not local to this one. */
  readonly localKeys = false;

  constructor(
    private readonly counters: RateLimitCounters,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const count = await this.counters.current(this.prefix + key);
    return count && { totalHits: count.hits, resetTime: count.resetAt };
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const count = await this.counters.hit(this.prefix + key, this.windowMs);
    return { totalHits: count.hits, resetTime: count.resetAt };
  }

  async decrement(key: string): Promise<void> {
    await this.counters.unhit(this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await this.counters.reset(this.prefix + key);
  }
}
