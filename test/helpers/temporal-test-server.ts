import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';

/** A plain client (no codec) of the shared dev server's default namespace; close its connection in afterAll. */
export async function testServerClient(): Promise<Client> {
  const connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  return new Client({ connection, namespace: 'default' });
}

/** A namespace of the calling test's own on that server, with these search attributes (name → IndexedValueType) registered. */
export async function namespaceWith(connection: Connection, prefix: string, attributes: Record<string, number>): Promise<string> {
  const namespace = `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  if (Object.keys(attributes).length) await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: attributes });
  return namespace;
}
