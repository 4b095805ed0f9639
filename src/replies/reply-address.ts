import { createHmac, timingSafeEqual } from 'node:crypto';
import { base32crockford } from '@scure/base';
import { keysFor, type SigningSecrets } from '../security/keys';
import type { Key } from '../security/keyring';

/**
 * The `Reply-To` of every message email: `reply+<token>@<INBOUND_DOMAIN>`. The token names the
 * message, is signed with the `reply` purpose key (DEEPLINK_SECRET family, so it rotates with
 * deep links and unsubscribe links) and expires. A JWT would not fit: an address's local part
 * may be at most 64 octets (RFC 5321 §4.5.3.1.1), so the token is a packed binary record in
 * Crockford base32 (case-insensitive, as some mail servers change the case of addresses):
 *
 *   key tag (2 bytes of the key id) · message id (16) · expiry, unix seconds (4) · HMAC-SHA256 truncated (10)
 *
 * = 32 bytes = 52 characters; with `reply+` the local part is 58. An 80-bit MAC cannot be
 * guessed online, and nothing in the token is guessable from the message id alone.
 */
export const REPLY_LOCAL_PREFIX = 'reply+';
const MAC_BYTES = 10;
const BODY_BYTES = 2 + 16 + 4;
const TOKEN_BYTES = BODY_BYTES + MAC_BYTES;

export interface ReplyAddressSettings extends SigningSecrets {
  INBOUND_DOMAIN: string;
  REPLY_TOKEN_TTL_DAYS: number;
}

const kidTag = (key: Key) => Buffer.from(key.kid, 'base64url').subarray(0, 2);
const mac = (key: Key, body: Buffer) => createHmac('sha256', key.key).update('shoktiai/reply/').update(body).digest().subarray(0, MAC_BYTES);
const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const uuidOf = (bytes: Buffer) => {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

export function createReplyToken(settings: SigningSecrets & { REPLY_TOKEN_TTL_DAYS: number }, messageId: string, now = new Date()): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(messageId)) throw new Error('a reply token names a message by its uuid');
  const key = keysFor(settings, 'reply').signing;
  const exp = Buffer.alloc(4);
  exp.writeUInt32BE(Math.floor(now.getTime() / 1000) + settings.REPLY_TOKEN_TTL_DAYS * 86_400);
  const body = Buffer.concat([kidTag(key), uuidBytes(messageId), exp]);
  return base32crockford.encode(Buffer.concat([body, mac(key, body)])).toLowerCase();
}

export function replyAddress(settings: ReplyAddressSettings, messageId: string, now = new Date()): string {
  return `${REPLY_LOCAL_PREFIX}${createReplyToken(settings, messageId, now)}@${settings.INBOUND_DOMAIN}`;
}

export type ReplyTokenVerdict = { ok: true; messageId: string; expiresAt: Date } | { ok: false; reason: 'invalid' | 'expired' };

/** Checks the signature (any key of the ring: rotation) before the expiry, so "expired" is only said of a genuine token. */
export function verifyReplyToken(settings: SigningSecrets, token: string, now = new Date()): ReplyTokenVerdict {
  let bytes: Buffer;
  try {
    bytes = Buffer.from(base32crockford.decode(token.toUpperCase()));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (bytes.length !== TOKEN_BYTES) return { ok: false, reason: 'invalid' };
  const body = bytes.subarray(0, BODY_BYTES);
  const given = bytes.subarray(BODY_BYTES);
  const tag = body.subarray(0, 2);
  const genuine = keysFor(settings, 'reply').all.some((key) => kidTag(key).equals(tag) && timingSafeEqual(mac(key, body), given));
  if (!genuine) return { ok: false, reason: 'invalid' };
  const expiresAt = new Date(body.readUInt32BE(18) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, messageId: uuidOf(body.subarray(2, 18)), expiresAt };
}

export type ReplyAddressVerdict = ReplyTokenVerdict | { ok: false; reason: 'wrong_domain' | 'not_a_reply_address' };

/** An inbound recipient: `reply+<token>@<INBOUND_DOMAIN>` (domain compared case-insensitively). */
export function verifyReplyAddress(settings: ReplyAddressSettings, address: string, now = new Date()): ReplyAddressVerdict {
  const at = address.lastIndexOf('@');
  if (at < 0) return { ok: false, reason: 'not_a_reply_address' };
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if (domain !== settings.INBOUND_DOMAIN.toLowerCase()) return { ok: false, reason: 'wrong_domain' };
  if (!local.toLowerCase().startsWith(REPLY_LOCAL_PREFIX)) return { ok: false, reason: 'not_a_reply_address' };
  return verifyReplyToken(settings, local.slice(REPLY_LOCAL_PREFIX.length), now);
}
