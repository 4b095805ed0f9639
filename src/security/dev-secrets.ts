import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Secrets for development and tests, generated once per installation and kept in a file only the
 * owner can read (mode 0600, under the git-ignored `var/`). Nothing secret is written in the
 * code, so no deployment can run on a value anyone can read in the repository; production never
 * reads this file (see production-config.ts).
 */
export const GENERATED_SECRETS = {
  JWT_SECRET: () => randomBytes(48).toString('base64url'),
  DEEPLINK_SECRET: () => randomBytes(48).toString('base64url'),
  /** AES-256 key of the Temporal payload codec. */
  PAYLOAD_CODEC_KEY: () => randomBytes(32).toString('base64'),
} as const;

export type GeneratedSecretName = keyof typeof GENERATED_SECRETS;
export type GeneratedSecrets = Record<GeneratedSecretName, string>;

function read(path: string): Partial<GeneratedSecrets> {
  return JSON.parse(readFileSync(path, 'utf8')) as Partial<GeneratedSecrets>;
}

function generateMissing(existing: Partial<GeneratedSecrets>): GeneratedSecrets {
  const entries = Object.entries(GENERATED_SECRETS).map(([name, make]) => [name, existing[name as GeneratedSecretName] ?? make()]);
  return Object.fromEntries(entries) as GeneratedSecrets;
}

function tempPath(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/**
 * The installation's development secrets, created on first use. Several processes may start at
 * once (npm start, the test workers): the file is written under a temporary name and linked into
 * place, which fails if another process won the race, whose file is then read instead.
 */
export function developmentSecrets(path: string): GeneratedSecrets {
  if (existsSync(path)) {
    const existing = read(path);
    const complete = generateMissing(existing);
    if (Object.keys(existing).length === Object.keys(complete).length) return complete;
    // a secret added by a newer version: add it, keep the others
    const tmp = tempPath(path);
    writeFileSync(tmp, JSON.stringify(complete, null, 2), { mode: 0o600 });
    renameSync(tmp, path);
    return read(path) as GeneratedSecrets;
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPath(path);
  writeFileSync(tmp, JSON.stringify(generateMissing({}), null, 2), { mode: 0o600 });
  try {
    linkSync(tmp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(tmp);
  }
  return read(path) as GeneratedSecrets;
}
