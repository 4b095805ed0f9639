import type { DataConverter } from '@temporalio/common';
import { keyringFor, type Keyring } from '../../security/keyring';
import { EncryptionCodec } from './encryption-codec';

export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

export interface CodecSettings {
  PAYLOAD_CODEC_KEY: string;
  PAYLOAD_CODEC_PREVIOUS_KEYS?: readonly string[];
}

/** The payload keys: the current one encrypts, every one decrypts. */
export function payloadKeys(settings: CodecSettings): Keyring {
  return keyringFor('temporal-payload', [settings.PAYLOAD_CODEC_KEY, ...(settings.PAYLOAD_CODEC_PREVIOUS_KEYS ?? [])]);
}

/** The data converter every client and worker of this system uses: encrypted payloads and failures. */
export function encryptedDataConverter(settings: CodecSettings): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(payloadKeys(settings))], failureConverterPath: FAILURE_CONVERTER_PATH };
}
