import type { Payload, PayloadCodec } from '@temporalio/common';
import { ENCRYPTED_ENCODING } from '../../src/temporal/codec/encryption-codec';

function isEncrypted(value: unknown): value is Payload {
  const payload = value as Payload | null;
  return !!payload && typeof payload === 'object' && payload.data instanceof Uint8Array && Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString() === ENCRYPTED_ENCODING;
}

/**
 * A copy of a live (encrypted) history with every payload decrypted, for saving as a replay
 * fixture: saved histories must replay on any installation, whatever its payload key, and the
 * codec passes plain payloads through (as it does for histories recorded before it existed).
 */
export async function decryptedHistory<T>(history: T, codec: PayloadCodec): Promise<T> {
  const walk = async (node: unknown): Promise<unknown> => {
    if (isEncrypted(node)) return (await codec.decode([node]))[0];
    if (Array.isArray(node)) return Promise.all(node.map(walk));
    if (!node || typeof node !== 'object' || node instanceof Uint8Array || typeof (node as { toNumber?: unknown }).toNumber === 'function') return node;
    const entries = await Promise.all(Object.entries(node).map(async ([k, v]) => [k, await walk(v)] as const));
    return Object.fromEntries(entries);
  };
  return (await walk(history)) as T;
}
