import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { GRPC, grpcCode } from '../../src/temporal/grpc-errors';
import { ensureNamespaceReady, TemporalNotReadyError, verifyTemporalAtStartup } from '../../src/temporal/namespace-readiness';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { startRefusingTemporal } from '../helpers/refusing-temporal';
import { namespaceWith } from '../helpers/temporal-test-server';
import { startTestSystem, type TestSystem } from '../helpers/system';

/**
 * A Temporal server that lacks some of the search attributes the workflows set: the start-up
 * check registers them where the server allows it, or refuses naming each with its command; and
 * a request the server refuses for good is a 500 that says so, never a 503 "try again".
 */
const PRESENT = ['AgentType', 'CustomerId', 'WorkerId', 'CampaignId'];
const MISSING = SEARCH_ATTRIBUTES.map((key) => key.name).filter((name) => !PRESENT.includes(name));

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ headless: true, searchAttributes: PRESENT });
}, 90_000);
afterAll(async () => {
  await server.stop();
});

async function listedIn(connection: Connection, namespace: string): Promise<string[]> {
  const answer = await connection.operatorService.listSearchAttributes({ namespace });
  return Object.keys(answer.customAttributes ?? {});
}
const listed = (connection: Connection) => listedIn(connection, server.namespace);

const { INDEXED_VALUE_TYPE_KEYWORD: KEYWORD, INDEXED_VALUE_TYPE_TEXT: TEXT } = temporal.api.enums.v1.IndexedValueType;

describe('start-up check of the namespace and search attributes', () => {
  it('refuses to start, naming each missing attribute and the command that adds it, when registration is off', async () => {
    const connection = await NativeConnection.connect({ address: server.address });
    try {
      const error = await ensureNamespaceReady(connection, { namespace: server.namespace, address: server.address, register: false }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(TemporalNotReadyError);
      for (const name of MISSING) {
        expect((error as Error).message).toContain(`temporal operator search-attribute create --address ${server.address} --namespace ${server.namespace} --name ${name} --type Keyword`);
      }
      expect((error as Error).message).not.toContain('--name AgentType');
    } finally {
      await connection.close();
    }
  });

  it('names the namespace and the command that creates it when the namespace does not exist', async () => {
    const connection = await Connection.connect({ address: server.address });
    try {
      const error = await ensureNamespaceReady(connection, { namespace: 'no-such-namespace', address: server.address, register: true }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(TemporalNotReadyError);
      expect((error as Error).message).toContain('temporal operator namespace create --address');
      expect((error as Error).message).toContain('no-such-namespace');
    } finally {
      await connection.close();
    }
  });

  it('refuses an attribute registered with another type than Keyword, naming it', async () => {
    const connection = await Connection.connect({ address: server.address });
    try {
      const namespace = await namespaceWith(connection, 'readiness', { CorrelationId: TEXT });
      const error = await ensureNamespaceReady(connection, { namespace, address: server.address, register: true }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(TemporalNotReadyError);
      expect((error as Error).message).toMatch(new RegExp(`type other than Keyword in namespace "${namespace}": CorrelationId\\.`));
      // nothing was added on the way
      expect(await listedIn(connection, namespace)).toEqual(['CorrelationId']);
    } finally {
      await connection.close();
    }
  });

  it('refuses with the server\'s reason and each command when the server will not add them (no Keyword slot left)', async () => {
    const connection = await Connection.connect({ address: server.address });
    try {
      // SQLite visibility has ten Keyword slots per namespace: another application took them all
      const namespace = await namespaceWith(connection, 'readiness', Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`Other${i}`, KEYWORD])));
      const error = await ensureNamespaceReady(connection, { namespace, address: server.address, register: true }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(TemporalNotReadyError);
      expect((error as Error).message).toContain('the server refused to add them: ');
      expect((error as Error).message).toMatch(/more than 10 search attribute of type Keyword/);
      for (const key of SEARCH_ATTRIBUTES) expect((error as Error).message).toContain(`--namespace ${namespace} --name ${key.name} --type Keyword`);
    } finally {
      await connection.close();
    }
  });

  it('passes on an error a retry may cure (server unreachable) as it is, not as a configuration refusal', async () => {
    const nobody = await Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 500 });
    try {
      const check = () => ensureNamespaceReady(nobody, { namespace: 'default', address: 'nowhere', register: true });
      const error = await nobody.withDeadline(Date.now() + 2000, check).catch((e: Error) => e);
      expect(error).not.toBeInstanceOf(TemporalNotReadyError);
      expect([GRPC.UNAVAILABLE, GRPC.DEADLINE_EXCEEDED]).toContain(grpcCode(error));
    } finally {
      await nobody.close();
    }
  });

  it('logs what the API and worker start-up check registered, and that the namespace is verified', async () => {
    const connection = await Connection.connect({ address: server.address });
    try {
      const namespace = await namespaceWith(connection, 'readiness', { AgentType: KEYWORD });
      const lines: Array<{ fields: object; message: string }> = [];
      const logger = { info: (fields: object, message: string) => lines.push({ fields, message }) };
      const readiness = await verifyTemporalAtStartup(connection, { address: server.address, namespace }, true, logger);
      const added = SEARCH_ATTRIBUTES.map((key) => key.name).filter((name) => name !== 'AgentType');
      expect(readiness).toEqual({ registered: added, unchecked: false });
      expect(lines).toEqual([
        { fields: { namespace, attributes: added }, message: 'registered missing search attributes' },
        { fields: { namespace, registered: added, unchecked: false }, message: 'Temporal namespace and search attributes verified' },
      ]);
      expect((await listedIn(connection, namespace)).sort()).toEqual(SEARCH_ATTRIBUTES.map((key) => key.name).sort());
    } finally {
      await connection.close();
    }
  });

  it.each(['permission-denied', 'unimplemented'] as const)('reports the attributes unchecked, and says so, on a server that will not list them (%s)', async (refusal) => {
    const cloud = await startRefusingTemporal(refusal);
    const connection = await Connection.connect({ address: cloud.address });
    try {
      const lines: Array<[string, Record<string, unknown> | undefined]> = [];
      const readiness = await ensureNamespaceReady(connection, { namespace: 'shoktiai', address: cloud.address, register: true, log: (message, fields) => lines.push([message, fields]) });
      expect(readiness).toEqual({ registered: [], unchecked: true });
      expect(lines).toEqual([[expect.stringMatching(/^cannot list search attributes on this server/), { namespace: 'shoktiai' }]]);
    } finally {
      await connection.close();
      await cloud.close();
    }
  });

  it('stops start-up with the server\'s error, never "unchecked", when the listing fails for another reason', async () => {
    const broken = await startRefusingTemporal('failed-precondition');
    const connection = await Connection.connect({ address: broken.address });
    try {
      const error = await ensureNamespaceReady(connection, { namespace: 'shoktiai', address: broken.address, register: true }).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(TemporalNotReadyError);
      expect(grpcCode(error)).toBe(GRPC.FAILED_PRECONDITION);
      expect((error as Error).message).toContain('visibility store is not ready');
    } finally {
      await connection.close();
      await broken.close();
    }
  });

  describe('a permanent refusal from Temporal', () => {
    let system: TestSystem;
    beforeAll(async () => {
      system = await startTestSystem({ worker: false, env: { TEMPORAL_ADDRESS: server.address } });
    });
    afterAll(async () => {
      await system.stop();
    });

    it('answers run-segment with a 500 that is not "try again" while an attribute it sets is unregistered', async () => {
      const res = await fetch(`${system.baseUrl}/internal/ai/smartengage/run-segment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': system.config.INTERNAL_API_KEY!, 'x-correlation-id': 'startup-check-500' },
        body: JSON.stringify({}),
      });
      const body = (await res.json()) as { correlation_id: string; error: { code: string; message: string; details: { reason: string } } };
      expect(res.status).toBe(500);
      expect(body.correlation_id).toBe('startup-check-500');
      expect(body.error.code).toBe('temporal_rejected');
      expect(body.error.message).not.toMatch(/try again/);
      expect(body.error.details.reason).toMatch(/CorrelationId|search attribute/i);
      // the campaign row keeps the cause too
      const row = await system.db.selectFrom('campaigns').select(['status', 'error']).where('correlation_id', '=', 'startup-check-500').executeTakeFirstOrThrow();
      expect(row.error).toMatch(/CorrelationId|search attribute/i);
    });
  });

  it('registers the missing attributes where the server allows it, so the next check passes', async () => {
    const connection = await Connection.connect({ address: server.address });
    try {
      const readiness = await ensureNamespaceReady(connection, { namespace: server.namespace, address: server.address, register: true });
      expect(readiness.registered.sort()).toEqual([...MISSING].sort());
      expect(await listed(connection)).toEqual(expect.arrayContaining(SEARCH_ATTRIBUTES.map((key) => key.name)));
      // idempotent: a second process starting finds nothing to do
      expect((await ensureNamespaceReady(connection, { namespace: server.namespace, address: server.address, register: false })).registered).toEqual([]);
    } finally {
      await connection.close();
    }
  });
});
