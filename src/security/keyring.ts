import { createHash, createHmac } from 'node:crypto';

/**
 * Several secrets accepted, one signing: the first is the current secret, the rest are the ones it
 * replaced and that tokens already handed out may still be signed with. Each secret is named by a
 * key id (`kid`) derived from it, so the id travels in tokens and payloads without revealing
 * anything and an operator never has to invent names.
 *
 * Every use ("purpose") gets its own key derived from the secret, so a signature made for one
 * purpose can never verify for another even if a claim check were forgotten.
 */
export interface Key {
  kid: string;
  key: Buffer;
}

export interface Keyring {
  signing: Key;
  all: Key[];
  find(kid: string | undefined): Key | undefined;
}

export function keyId(secret: string): string {
  return createHash('sha256').update(`shoktiai/kid/${secret}`).digest('base64url').slice(0, 12);
}

export function purposeKey(secret: string, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`shoktiai/key/${purpose}`).digest();
}

/** A keyring for one purpose from [current, ...previous] secrets. */
export function keyringFor(purpose: string, secrets: readonly string[]): Keyring {
  if (secrets.length === 0) throw new Error(`no secret configured for ${purpose}`);
  const all = secrets.map((secret) => ({ kid: keyId(secret), key: purposeKey(secret, purpose) }));
  const byKid = new Map(all.map((k) => [k.kid, k]));
  return { signing: all[0], all, find: (kid) => (kid === undefined ? undefined : byKid.get(kid)) };
}
