import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { banner } from '../../src/stack/run';
import { startCodecProxy } from '../../src/stack/codec-proxy';
import { stackOptionsFromEnv, type Stack } from '../../src/stack/stack';
import {
  choosePorts,
  DYNAMIC_CONFIG,
  postgresTarget,
  serverConfigYaml,
  serverInstalled,
  startTemporalServer,
  temporalServerTools,
  type ServerPorts,
} from '../../src/stack/temporal-server';
import { startTemporalUi, uiConfigYaml } from '../../src/stack/temporal-ui';

/**
 * The parts of `npm run stack` that are plain functions of their input: options from the
 * environment, the Temporal server's and the UI's configuration, the ports, the banner, and the
 * launchers' and the codec endpoint's refusals. The whole stack runs in production-stack.test.ts.
 */
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoktiai-stack-config-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const PORTS: ServerPorts = {
  frontend: 27233, frontendHttp: 27243, frontendMembership: 26933, history: 27234, historyMembership: 26934,
  matching: 27235, matchingMembership: 26935, worker: 27239, workerMembership: 26939, metrics: 29090,
};

describe('stackOptionsFromEnv', () => {
  it('defaults to what docker-compose.yml deploys: 2 workers, 2 APIs from port 3000, replies on 2525, var/stack', () => {
    const options = stackOptionsFromEnv({}, () => undefined);
    expect(options).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/shoktiai',
      temporalDatabase: 'temporal',
      namespace: 'default',
      taskQueue: 'shoktiai',
      workers: 2,
      apis: 2,
      apiPort: 3000,
      inboundSmtpPort: 2525,
      uiPort: 0,
      historyShards: 4,
      demoData: true,
      ui: true,
      serviceEnv: {},
    });
    expect(options.dir).toMatch(/var\/stack$/);
  });

  it('reads every setting from the environment', () => {
    const options = stackOptionsFromEnv({
      DATABASE_URL: 'postgres://app:pw@db:5433/app', STACK_TEMPORAL_DB: 't', TEMPORAL_NAMESPACE: 'ns', TEMPORAL_TASK_QUEUE: 'q',
      STACK_WORKERS: '3', STACK_APIS: '1', STACK_API_PORT: '0', INBOUND_SMTP_PORT: '0', STACK_UI_PORT: '8080', STACK_HISTORY_SHARDS: '8', STACK_DIR: '/srv/stack', DEMO_DATA: 'false',
    }, () => undefined);
    expect(options).toMatchObject({ databaseUrl: 'postgres://app:pw@db:5433/app', temporalDatabase: 't', namespace: 'ns', taskQueue: 'q', workers: 3, apis: 1, apiPort: 0, inboundSmtpPort: 0, uiPort: 8080, historyShards: 8, dir: '/srv/stack', demoData: false });
  });

  it('refuses a count or port that is not a whole number', () => {
    expect(() => stackOptionsFromEnv({ STACK_WORKERS: 'two' })).toThrow('STACK_WORKERS must be a whole number (got "two")');
    expect(() => stackOptionsFromEnv({ STACK_API_PORT: '-1' })).toThrow(/STACK_API_PORT/);
    expect(() => stackOptionsFromEnv({ INBOUND_SMTP_PORT: '25.5' })).toThrow(/INBOUND_SMTP_PORT/);
  });
});

describe("the Temporal server's configuration", () => {
  it('takes host, port, user and password from the database URL (decoded, postgres and 5432 by default)', () => {
    expect(postgresTarget('postgres://app%40x:p%40ss%3Aw@db.internal:5433/shoktiai')).toEqual({ host: 'db.internal', port: 5433, user: 'app@x', password: 'p@ss:w' });
    expect(postgresTarget('postgres://127.0.0.1/shoktiai')).toEqual({ host: '127.0.0.1', port: 5432, user: 'postgres', password: '' });
  });

  it('writes persistence, visibility, shards, every port on loopback and the dynamic config file', () => {
    const pg = { host: 'db', port: 5433, user: 'temporal', password: 'a "quoted" p\\w' };
    const config = parse(serverConfigYaml({ pg, databases: { persistence: 'tp', visibility: 'tp_visibility' }, ports: PORTS, historyShards: 8 }, '/srv/dyn.yaml'));
    expect(config.persistence).toMatchObject({ defaultStore: 'postgres-default', visibilityStore: 'postgres-visibility', numHistoryShards: 8 });
    expect(config.persistence.datastores['postgres-default'].sql).toMatchObject({ pluginName: 'postgres12', databaseName: 'tp', connectAddr: 'db:5433', user: 'temporal', password: pg.password });
    expect(config.persistence.datastores['postgres-visibility'].sql).toMatchObject({ databaseName: 'tp_visibility', password: pg.password });
    expect(config.services.frontend.rpc).toEqual({ grpcPort: PORTS.frontend, membershipPort: PORTS.frontendMembership, bindOnLocalHost: true, httpPort: PORTS.frontendHttp });
    for (const service of ['history', 'matching', 'worker'] as const) {
      expect(config.services[service].rpc).toEqual({ grpcPort: PORTS[service], membershipPort: PORTS[`${service}Membership`], bindOnLocalHost: true });
    }
    expect(config.clusterMetadata.clusterInformation.active.rpcAddress).toBe(`127.0.0.1:${PORTS.frontend}`);
    expect(config.global.metrics.prometheus.listenAddress).toBe(`127.0.0.1:${PORTS.metrics}`);
    expect(config.dynamicConfigClient.filepath).toBe('/srv/dyn.yaml');
  });

  it('turns on eager activities and off the per-read search attribute refresh', () => {
    expect(parse(DYNAMIC_CONFIG)).toEqual({
      'system.enableActivityEagerExecution': [{ value: true }],
      'system.forceSearchAttributesCacheRefreshOnRead': [{ value: false }],
    });
  });

  it('chooses ten different free ports the membership table can store (a smallint)', async () => {
    const ports = Object.values(await choosePorts());
    expect(ports).toHaveLength(10);
    expect(new Set(ports).size).toBe(10);
    for (const port of ports) expect(port >= 20_000 && port <= 32_000).toBe(true);
  });

  it('finds the binaries in .tools, or where the environment says', () => {
    const tools = temporalServerTools('/opt/app');
    expect(tools).toMatchObject({ sqlTool: '/opt/app/.tools/sql-bin/sql', ui: '/opt/app/.tools/ui-bin/server', schemaDir: '/opt/app/.tools/temporal-schema/postgresql/v12', install: '/opt/app/scripts/install-temporal-server.sh' });
    expect(serverInstalled(tools)).toBe(false);
    process.env.TEMPORAL_SERVER_PATH = '/usr/local/bin/temporal-server';
    try {
      expect(temporalServerTools('/opt/app').server).toBe('/usr/local/bin/temporal-server');
    } finally {
      delete process.env.TEMPORAL_SERVER_PATH;
    }
  });

  it('reports a server that exits during start-up, with its log', async () => {
    const dir = tempDir();
    const pg = { host: '127.0.0.1', port: 5432, user: 'postgres', password: '' };
    await expect(startTemporalServer({ serverBinary: '/bin/false', dir, pg, databases: { persistence: 'x', visibility: 'x_v' }, ports: PORTS, historyShards: 1 })).rejects.toThrow(
      `Temporal server exited with code 1; see ${join(dir, 'temporal-server.log')}`,
    );
  });
});

describe("the Web UI's configuration", () => {
  it('names the frontend, its own port on loopback, the namespace and the allowed origins', () => {
    const config = parse(uiConfigYaml({ temporalAddress: '127.0.0.1:7233', port: 8233, namespace: 'ns', corsOrigins: ['http://localhost:3000', 'http://localhost:3001'] }));
    expect(config).toEqual({
      temporalGrpcAddress: '127.0.0.1:7233',
      host: '127.0.0.1',
      port: 8233,
      enableUi: true,
      defaultNamespace: 'ns',
      notifyOnNewVersion: false,
      cors: { allowOrigins: ['http://localhost:3000', 'http://localhost:3001'] },
    });
  });

  it('reports a UI server that exits during start-up, with its log', async () => {
    const dir = tempDir();
    await expect(startTemporalUi({ binary: '/bin/false', dir, temporalAddress: '127.0.0.1:1', port: 1, namespace: 'default', corsOrigins: [] })).rejects.toThrow(`Temporal UI exited with code 1; see ${join(dir, 'temporal-ui.log')}`);
  });
});

describe("the UI's codec endpoint", () => {
  const UI = 'http://127.0.0.1:18999';

  it('answers POST only, and 502 when no API answers', async () => {
    const proxy = await startCodecProxy({ port: 0, uiOrigins: [UI], apis: () => [], internalApiKey: 'k' });
    try {
      expect((await fetch(`${proxy.endpoint}/encode`, { headers: { origin: UI } })).status).toBe(405);
      const none = await fetch(`${proxy.endpoint}/decode`, { method: 'POST', headers: { origin: UI, 'content-type': 'application/json' }, body: '{"payloads":[]}' });
      expect(none.status).toBe(502);
      expect(await none.json()).toMatchObject({ error: { code: 'bad_gateway' } });
    } finally {
      await proxy.stop();
    }
  });
});

describe('the banner', () => {
  it('says the UI is off and names no codec endpoint when the stack runs without them', () => {
    const stack = {
      server: { address: '127.0.0.1:7233', ports: { metrics: 9090 } },
      apis: [{ name: 'api-1', url: 'http://localhost:3000', pid: 11, logFile: '/l/api-1.log' }],
      workers: [{ name: 'worker-1', url: 'http://localhost:9464/metrics', pid: 12, logFile: '/l/worker-1.log' }],
      inboundSmtp: 'smtp://localhost:2525',
      secretsFile: '/s/secrets.json',
      env: { DATABASE_URL: 'postgres://app:secret@db:5432/app', PUBLIC_BASE_URL: 'https://links.example' },
    } as unknown as Stack;
    const text = banner(stack, 1);
    expect(text).toContain('Temporal UI    (off)');
    expect(text).not.toContain('UI codec');
    expect(text).toContain('database       postgres://app:***@db:5432/app');
    expect(text).not.toContain('secret@');
    expect(text).toContain('email replies  smtp://localhost:2525');
    expect(text).toContain('x-api-key: the INTERNAL_API_KEY in /s/secrets.json');
    expect(text).toContain('sent mailbox   unset: a send left in doubt is resent (email at least once)');
  });

  it('names the Sent mailbox asked before an in-doubt resend, its app password masked', () => {
    const stack = {
      server: { address: '127.0.0.1:7233', ports: { metrics: 9090 } },
      apis: [],
      workers: [],
      inboundSmtp: 'smtp://localhost:2525',
      secretsFile: '/s/secrets.json',
      env: { DATABASE_URL: 'postgres://db/app', PUBLIC_BASE_URL: 'https://links.example', SENT_MAILBOX_URL: 'imaps://bot%40example.com:app-pass@imap.gmail.com:993/%5BGmail%5D%2FSent%20Mail' },
    } as unknown as Stack;
    const text = banner(stack, 1);
    expect(text).toContain('sent mailbox   imaps://bot%40example.com:***@imap.gmail.com:993/%5BGmail%5D%2FSent%20Mail (asked before an in-doubt resend)');
    expect(text).not.toContain('app-pass');
  });
});
