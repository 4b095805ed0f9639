import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import { activeTracing } from '../runtime/tracing';
import { tracingClientInterceptors } from './tracing';
import { encryptedDataConverter, type CodecSettings } from './codec/data-converter';

export interface TemporalTarget {
  address: string;
  namespace: string;
  apiKey?: string;
  tls?: boolean;
}

export function temporalTarget(config: Config, address = config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233'): TemporalTarget {
  return { address, namespace: config.TEMPORAL_NAMESPACE, apiKey: config.TEMPORAL_API_KEY, tls: config.TEMPORAL_TLS || !!config.TEMPORAL_API_KEY };
}

/**
 * A Temporal client for the API and scripts (Temporal Cloud with an API key, or a plain cluster),
 * encrypting payloads like the worker does.
 */
export async function connectClient(target: TemporalTarget, codec: CodecSettings): Promise<Client> {
  const connection = await Connection.connect({ address: target.address, tls: target.tls || undefined, apiKey: target.apiKey });
  return new Client({ connection, namespace: target.namespace, dataConverter: encryptedDataConverter(codec), interceptors: tracingClientInterceptors(activeTracing()) });
}
