import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose';
import { signAccessToken, verifyAccessToken } from '../../src/auth/jwt';
import { ConfigError, configSchema, loadConfig } from '../../src/config';
import { createUnsubscribeToken, verifyUnsubscribeToken } from '../../src/messaging/unsubscribe-token';
import { keyId, purposeKey } from '../../src/security/keyring';
import { keysFor } from '../../src/security/keys';
import { signToken, verifyToken } from '../../src/security/tokens';
import { signDeepLinkToken, verifyDeepLinkToken } from '../../src/smartengage/deep-link-token';

const secretsFile = () => join(mkdtempSync(join(tmpdir(), 'shoktiai-secrets-')), 'secrets.json');
const strong = () => randomBytes(48).toString('base64url');

describe('secrets have no defaults', () => {
  it('has no secret value in the configuration schema', () => {
    for (const name of ['JWT_SECRET', 'DEEPLINK_SECRET', 'PAYLOAD_CODEC_KEY', 'INTERNAL_API_KEY'] as const) {
      expect(configSchema.shape[name].safeParse(undefined)).toEqual({ success: true, data: undefined });
    }
  });

  it('generates per-installation secrets for development once, readable by the owner only', () => {
    const file = secretsFile();
    const first = loadConfig({ SECRETS_FILE: file });
    expect(first.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(first.DEEPLINK_SECRET).not.toBe(first.JWT_SECRET);
    expect(Buffer.from(first.PAYLOAD_CODEC_KEY, 'base64')).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadConfig({ SECRETS_FILE: file, NODE_ENV: 'test' });
    expect([again.JWT_SECRET, again.DEEPLINK_SECRET, again.PAYLOAD_CODEC_KEY]).toEqual([first.JWT_SECRET, first.DEEPLINK_SECRET, first.PAYLOAD_CODEC_KEY]);
    expect(JSON.parse(readFileSync(file, 'utf8')).JWT_SECRET).toBe(first.JWT_SECRET);
    // another installation gets other secrets
    expect(loadConfig({ SECRETS_FILE: secretsFile() }).JWT_SECRET).not.toBe(first.JWT_SECRET);
    // configured values win over the file
    const configured = strong();
    expect(loadConfig({ SECRETS_FILE: file, JWT_SECRET: configured }).JWT_SECRET).toBe(configured);
  });

  const production = () => ({
    NODE_ENV: 'production',
    JWT_SECRET: strong(),
    DEEPLINK_SECRET: strong(),
    PAYLOAD_CODEC_KEY: randomBytes(32).toString('base64'),
    INTERNAL_API_KEY: strong(),
    PUBLIC_BASE_URL: 'https://api.example.com',
  });

  it('starts in production with every secret configured, never reading the development file', () => {
    const file = secretsFile();
    const env = production();
    const config = loadConfig({ ...env, SECRETS_FILE: file });
    expect(config.JWT_SECRET).toBe(env.JWT_SECRET);
    expect(() => statSync(file)).toThrow();
  });

  it.each(['JWT_SECRET', 'DEEPLINK_SECRET', 'PAYLOAD_CODEC_KEY', 'INTERNAL_API_KEY', 'PUBLIC_BASE_URL'])('refuses production without %s, naming it', (name) => {
    const env: Record<string, string> = production();
    delete env[name];
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`\\b${name}: required in production`));
  });

  it('names every missing variable at once', () => {
    let message = '';
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of ['JWT_SECRET', 'DEEPLINK_SECRET', 'PAYLOAD_CODEC_KEY', 'INTERNAL_API_KEY', 'PUBLIC_BASE_URL']) expect(message).toContain(name);
  });

  it('refuses the dev-only secrets published in the repository', () => {
    const env = { ...production(), JWT_SECRET: 'dev-only-jwt-secret-change-me-in-production!!', INTERNAL_API_KEY: 'test-internal-api-key-0123456789' };
    expect(() => loadConfig(env)).toThrow(/JWT_SECRET: a dev-only value/);
    expect(() => loadConfig(env)).toThrow(/INTERNAL_API_KEY: a dev-only value/);
  });
});

describe('tokens: purpose, expiry, key id and rotation', () => {
  const old = { JWT_SECRET: strong(), DEEPLINK_SECRET: strong(), UNSUBSCRIBE_TOKEN_TTL_DAYS: 400 };
  const rotated = { ...old, JWT_SECRET: strong(), JWT_PREVIOUS_SECRETS: [old.JWT_SECRET], DEEPLINK_SECRET: strong(), DEEPLINK_PREVIOUS_SECRETS: [old.DEEPLINK_SECRET] };
  const user = { sub: randomUUID(), role: 'customer' as const, email: 'a@example.com' };
  const link = { tokenId: randomUUID(), customerId: randomUUID(), serviceId: randomUUID(), promoCode: null, expiresAt: new Date(Date.now() + 3600_000) };

  it('puts the signing key id in the header, and accepts tokens signed by a previous key', async () => {
    const token = await signAccessToken(user, old, 600);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', kid: keyId(old.JWT_SECRET) });
    expect(await verifyAccessToken(token, rotated)).toEqual(user);
    const fresh = await signAccessToken(user, rotated, 600);
    expect(decodeProtectedHeader(fresh).kid).toBe(keyId(rotated.JWT_SECRET));
    // once the old key is dropped, its tokens stop working
    expect(await verifyAccessToken(token, { ...rotated, JWT_PREVIOUS_SECRETS: [] })).toBeNull();
    expect((await verifyDeepLinkToken(await signDeepLinkToken(link, old), rotated)).ok).toBe(true);
    expect(await verifyUnsubscribeToken(rotated, await createUnsubscribeToken(old, user.sub))).toBe(user.sub);
  });

  it('refuses a token for another purpose', async () => {
    const deepLink = await signDeepLinkToken({ ...link, customerId: user.sub }, old);
    const unsubscribe = await createUnsubscribeToken(old, user.sub);
    const login = await signAccessToken(user, old, 600);
    expect(await verifyAccessToken(deepLink, old)).toBeNull();
    expect(await verifyAccessToken(unsubscribe, old)).toBeNull();
    expect(await verifyUnsubscribeToken(old, deepLink)).toBeNull();
    expect((await verifyDeepLinkToken(unsubscribe, old)).ok).toBe(false);
    expect((await verifyDeepLinkToken(login, old)).ok).toBe(false);
    // even a token that claims the right audience but was signed with another purpose's key
    const ring = keysFor(old, 'deep_link');
    const forged = await new SignJWT({ role: 'operator' })
      .setProtectedHeader({ alg: 'HS256', kid: ring.signing.kid })
      .setIssuer('shoktiai')
      .setAudience('login')
      .setSubject(user.sub)
      .setExpirationTime('10m')
      .sign(ring.signing.key);
    expect(await verifyAccessToken(forged, old)).toBeNull();
  });

  it('refuses a token without exp, without kid, with alg none, or expired; unsubscribe tokens expire too', async () => {
    const key = purposeKey(old.JWT_SECRET, 'login');
    const base = () => new SignJWT({ role: 'operator' }).setIssuer('shoktiai').setAudience('login').setSubject(user.sub);
    const noExp = await base().setProtectedHeader({ alg: 'HS256', kid: keyId(old.JWT_SECRET) }).sign(key);
    const noKid = await base().setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(key);
    const none = new UnsecuredJWT({ role: 'operator' }).setIssuer('shoktiai').setAudience('login').setSubject(user.sub).setExpirationTime('10m').encode();
    for (const token of [noExp, noKid, none]) expect(await verifyAccessToken(token, old)).toBeNull();
    expect(await verifyAccessToken(await signAccessToken(user, old, -10), old)).toBeNull();

    const unsubscribe = await createUnsubscribeToken(old, user.sub, new Date(Date.now() - 401 * 86_400_000));
    expect(await verifyUnsubscribeToken(old, unsubscribe)).toBeNull();
    const verdict = await verifyToken(keysFor(old, 'unsubscribe'), 'unsubscribe', await createUnsubscribeToken(old, user.sub));
    expect(verdict.ok && verdict.payload.exp * 1000 - Date.now()).toBeGreaterThan(399 * 86_400_000);
    expect(await signToken(keysFor(old, 'reply'), 'reply', {}, { subject: user.sub, expiresAt: new Date(Date.now() + 1000) })).toMatch(/^ey/);
  });
});
