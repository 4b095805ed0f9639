import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../src/runtime/project-root';
import { workerNodeOptions } from '../../src/runtime/worker-heap';
import { NAMESPACE_RETENTION, OPERATOR_SETTINGS, stackOptionsFromEnv } from '../../src/stack/stack';
import { DYNAMIC_CONFIG } from '../../src/stack/temporal-server';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';

/**
 * docker-compose.yml describes the topology `npm run stack` runs; nobody runs compose here (no
 * Docker engine), so this keeps the two in step: versions, databases, shards, retention,
 * attributes, dynamic config, the worker's heap cap, and no secret with a default.
 */
const root = projectRoot();
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
const install = readFileSync(join(root, 'scripts/install-temporal-server.sh'), 'utf8');
const pinned = (name: string) => install.match(new RegExp(`${name}="\\$\\{[A-Z_]+:-v([\\d.]+)\\}"`))![1];
const stack = stackOptionsFromEnv({}, () => undefined);
const services = compose.services;
const appEnv = services.api.environment;

it('runs the Temporal server, schema tool and UI versions the stack builds', () => {
  expect(services.temporal.image).toBe(`temporalio/server:${pinned('SERVER_VERSION')}`);
  expect(services['temporal-schema'].image).toBe(`temporalio/admin-tools:${pinned('SERVER_VERSION')}`);
  expect(services['temporal-ui'].image).toBe(`temporalio/ui:${pinned('UI_VERSION')}`);
});

it('uses the same databases, history shards, namespace, retention, search attributes and dynamic config', () => {
  expect(services.temporal.environment).toMatchObject({ DBNAME: stack.temporalDatabase, VISIBILITY_DBNAME: `${stack.temporalDatabase}_visibility`, NUM_HISTORY_SHARDS: stack.historyShards });
  const setup = services['temporal-setup'].command.join(' ');
  expect(setup).toContain(`--namespace ${stack.namespace} --retention ${NAMESPACE_RETENTION}`);
  expect(setup.match(/for name in ([\w ]+);/)![1].split(' ').sort()).toEqual(SEARCH_ATTRIBUTES.map((key) => key.name).sort());
  const file = readFileSync(join(root, 'scripts/docker/temporal-dynamicconfig.yaml'), 'utf8');
  expect(parse(file)).toEqual(parse(DYNAMIC_CONFIG));
  expect(appEnv).toMatchObject({ TEMPORAL_NAMESPACE: stack.namespace, TEMPORAL_TASK_QUEUE: stack.taskQueue });
});

it('deploys the worker with the heap cap the stack gives it, and points the UI at the codec endpoint', () => {
  expect(services.worker.environment.NODE_OPTIONS).toBe(workerNodeOptions({}));
  expect(services['temporal-ui'].environment.TEMPORAL_CODEC_ENDPOINT).toBe('http://localhost:3000/codec');
  expect(appEnv.TEMPORAL_UI_ORIGINS).toBe('http://localhost:8233');
});

it("passes the settings the stack takes from the operator's environment through with no value of its own (the Sent mailbox)", () => {
  expect(OPERATOR_SETTINGS).toContain('SENT_MAILBOX_URL');
  for (const name of OPERATOR_SETTINGS) {
    expect(appEnv[name]).toBe(`\${${name}:-}`);
    expect(services.worker.environment[name]).toBe(`\${${name}:-}`);
  }
});

it('gives no secret a default value (production refuses published ones)', () => {
  for (const name of ['INTERNAL_API_KEY', 'JWT_SECRET', 'DEEPLINK_SECRET', 'PAYLOAD_CODEC_KEY']) expect(appEnv[name]).toMatch(new RegExp(`^\\$\\{${name}:\\?`));
});
