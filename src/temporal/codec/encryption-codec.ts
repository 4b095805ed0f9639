import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Keyring } from '../../security/keyring';

/** The encoding of an encrypted payload; its metadata also names the key (by id) that sealed it. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/**
 * Encrypts every Temporal payload with AES-256-GCM: the whole original payload (its metadata and
 * data) is serialized and sealed, so the server and anyone reading history see only ciphertext
 * and the key id. The key id is authenticated too (GCM additional data), so a payload cannot be
 * relabelled to another key. Encryption uses the keyring's current key; decryption any key of the
 * ring, which is how keys rotate (see SECURITY.md).
 *
 * Histories recorded before the codec existed hold plain payloads. Decoding passes a payload that
 * is not marked `binary/encrypted` through unchanged, so those workflows still replay and finish;
 * everything they write from now on is encrypted. A payload marked encrypted whose key is not in
 * the ring is an error, never silently passed on.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { kid, key } = this.keys.signing;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(kid));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(kid) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const kid = text(payload.metadata?.[KEY_ID_METADATA]);
      const found = this.keys.find(kid);
      if (!found) throw new ValueError(`payload encrypted with unknown key id ${JSON.stringify(kid)}`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload too short');
      const decipher = createDecipheriv('aes-256-gcm', found.key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(found.kid));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
