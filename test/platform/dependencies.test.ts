import { sql } from 'kysely';
import { Client } from 'pg';
import { loadConfig } from '../../src/config';
import type { Logger } from '../../src/lib/logger';
import { describeDependencies, openDependencies } from '../../src/runtime/dependencies';
import { eventually } from '../helpers/wait';

/** The clients a process opens from its configuration, and the start-up banner that names them without secrets. */
const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('describeDependencies', () => {
  it('names the embedded defaults', () => {
    expect(describeDependencies(loadConfig({ NODE_ENV: 'test', PGLITE_DIR: 'var/db', OUTBOX_DIR: 'var/mail' }))).toEqual({
      database: 'PGlite (embedded) in var/db',
      email: '.eml files in var/mail',
      llm: 'template writer (no OPENAI_API_KEY)',
    });
  });

  it('names the servers with their passwords masked', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://app:s3cret@db.internal:5432/shoktiai',
      SMTP_URL: 'smtp://mailer:hunter2@smtp.internal:587',
      OPENAI_API_KEY: 'sk-test-key',
      OPENAI_MODEL: 'gpt-test',
    });
    const banner = describeDependencies(config);
    expect(banner).toEqual({
      database: 'postgres://app:***@db.internal:5432/shoktiai',
      email: 'SMTP smtp://mailer:***@smtp.internal:587',
      llm: 'gpt-test at api.openai.com',
    });
    expect(JSON.stringify(banner)).not.toMatch(/s3cret|hunter2|sk-test-key/);
    expect(describeDependencies({ ...config, OPENAI_BASE_URL: 'http://127.0.0.1:9999/v1' }).llm).toBe('gpt-test at http://127.0.0.1:9999/v1');
    expect(describeDependencies({ ...config, DATABASE_URL: 'postgres://db.internal/shoktiai' }).database).toBe('postgres://db.internal/shoktiai');
  });

  it('names the Sent mailbox checked before an in-doubt resend, without its password, only when one is set', () => {
    const config = loadConfig({ NODE_ENV: 'test', SENT_MAILBOX_URL: 'imaps://bot%40example.com:app-secret@imap.gmail.com:993/%5BGmail%5D%2FSent%20Mail' });
    const banner = describeDependencies(config);
    expect(banner['sent mailbox']).toBe('imaps://bot%40example.com:***@imap.gmail.com:993/%5BGmail%5D%2FSent%20Mail (checked before an in-doubt resend)');
    expect(JSON.stringify(banner)).not.toContain('app-secret');
    expect(describeDependencies(loadConfig({ NODE_ENV: 'test' }))).not.toHaveProperty(['sent mailbox']);
  });

  it('does not repeat a URL it cannot parse', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(describeDependencies({ ...config, DATABASE_URL: 'not a url :secret@' }).database).toBe('(unparseable URL)');
  });
});

describe('openDependencies', () => {
  it('opens the configured database, mailer and LLM client, and closes them', async () => {
    const logger = { warn: jest.fn() } as unknown as Logger;
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl, OUTBOX_DIR: 'var/test/outbox', OPENAI_API_KEY: 'sk-test' });
    const deps = await openDependencies(config, logger);
    try {
      expect(deps.config).toBe(config);
      expect(deps.logger).toBe(logger);
      expect(deps.openai).not.toBeNull();
      const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(deps.db);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await deps.close();
    }
    await expect(sql`SELECT 1`.execute(deps.db)).rejects.toThrow();
  });

  it('reports an idle connection the server ended as a warning, and the next query opens a new one', async () => {
    const warn = jest.fn();
    const deps = await openDependencies(loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl }), { warn } as unknown as Logger);
    const admin = new Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(deps.db);
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      await eventually(async () => warn.mock.calls.length > 0);
      expect(warn).toHaveBeenCalledWith({ err: expect.any(Error) }, 'database connection lost; the pool opens a new one');
      const again = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(deps.db);
      expect(again.rows[0].pid).not.toBe(rows[0].pid);
    } finally {
      await admin.end();
      await deps.close();
    }
  });
});
