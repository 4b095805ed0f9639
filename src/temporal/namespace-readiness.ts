import { temporal } from '@temporalio/proto';
import { grpcCode, GRPC } from './grpc-errors';
import { SEARCH_ATTRIBUTES } from './search-attributes';

type WorkflowService = temporal.api.workflowservice.v1.WorkflowService;
type OperatorService = temporal.api.operatorservice.v1.OperatorService;

/** What both `Connection` (client) and `NativeConnection` (worker) expose. */
export interface ServiceConnection {
  workflowService: WorkflowService;
  operatorService: OperatorService;
}

export interface ReadinessOptions {
  namespace: string;
  /** For the commands printed in error messages. */
  address: string;
  /** Add missing search attributes through the operator service where the server allows it. */
  register: boolean;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** How long to wait for a registered attribute to become visible (the server caches them). */
  visibleWithinMs?: number;
}

export interface Readiness {
  /** Attributes this process added. */
  registered: string[];
  /** True when the server would not list attributes (e.g. Temporal Cloud's operator API): unchecked. */
  unchecked: boolean;
}

/** A start-up check failed for a reason a retry will not fix; the message says what to run. */
export class TemporalNotReadyError extends Error {
  override name = 'TemporalNotReadyError';
}

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

export function searchAttributeCommand(name: string, namespace: string, address: string): string {
  return `temporal operator search-attribute create --address ${address} --namespace ${namespace} --name ${name} --type Keyword`;
}

async function listedAttributes(ops: OperatorService, namespace: string): Promise<Map<string, number>> {
  const answer = await ops.listSearchAttributes({ namespace });
  const types = new Map<string, number>();
  for (const [name, type] of Object.entries(answer.customAttributes ?? {})) types.set(name, Number(type));
  return types;
}

/**
 * Checks that the namespace exists and that every search attribute the workflows and the API set
 * (search-attributes.ts) is registered as a Keyword. Missing ones are added where the server
 * allows it; otherwise the error names each one with the command that adds it. Without this, the
 * first workflow start fails with INVALID_ARGUMENT long after the process reported healthy.
 */
export async function ensureNamespaceReady(connection: ServiceConnection, options: ReadinessOptions): Promise<Readiness> {
  const { namespace, address } = options;
  const log = options.log ?? (() => undefined);
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch (error) {
    if (grpcCode(error) === GRPC.NOT_FOUND) {
      throw new TemporalNotReadyError(
        `Temporal namespace "${namespace}" does not exist on ${address}. Create it with:\n` +
          `  temporal operator namespace create --address ${address} --namespace ${namespace} --retention 720h`,
      );
    }
    throw error;
  }

  let listed: Map<string, number>;
  try {
    listed = await listedAttributes(connection.operatorService, namespace);
  } catch (error) {
    const code = grpcCode(error);
    if (code === GRPC.PERMISSION_DENIED || code === GRPC.UNIMPLEMENTED) {
      log('cannot list search attributes on this server (permission denied or not offered); assuming they are registered', { namespace });
      return { registered: [], unchecked: true };
    }
    throw error;
  }

  const wrongType = SEARCH_ATTRIBUTES.filter((key) => listed.has(key.name) && listed.get(key.name) !== KEYWORD).map((key) => key.name);
  if (wrongType.length) {
    throw new TemporalNotReadyError(
      `search attributes registered with a type other than Keyword in namespace "${namespace}": ${wrongType.join(', ')}. ` +
        'Workflows set them as Keyword; a registered type cannot be changed, so use a namespace where they are Keyword.',
    );
  }
  const missing = SEARCH_ATTRIBUTES.filter((key) => !listed.has(key.name)).map((key) => key.name);
  if (!missing.length) return { registered: [], unchecked: false };

  const refuse = (why: string) =>
    new TemporalNotReadyError(
      `search attributes missing in Temporal namespace "${namespace}": ${missing.join(', ')} (${why}). Add each with:\n` +
        missing.map((name) => `  ${searchAttributeCommand(name, namespace, address)}`).join('\n'),
    );
  if (!options.register) throw refuse('registration at start-up is off: TEMPORAL_REGISTER_SEARCH_ATTRIBUTES=false');
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])) });
  } catch (error) {
    // another process registering the same attributes at the same moment is not a failure
    if (grpcCode(error) !== GRPC.ALREADY_EXISTS) throw refuse(`the server refused to add them: ${(error as Error).message}`);
  }
  log('registered missing search attributes', { namespace, attributes: missing });
  await waitUntilListed(connection.operatorService, namespace, missing, options.visibleWithinMs ?? 15_000);
  return { registered: missing, unchecked: false };
}

async function waitUntilListed(ops: OperatorService, namespace: string, names: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await listedAttributes(ops, namespace);
    if (names.every((name) => listed.has(name))) return;
    if (Date.now() > deadline) throw new TemporalNotReadyError(`search attributes ${names.join(', ')} were added but are still not listed after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The start-up check as the API and the worker run it, logging through the process logger. */
export async function verifyTemporalAtStartup(
  connection: ServiceConnection,
  target: { address: string; namespace: string },
  register: boolean,
  logger: { info(fields: object, message: string): void },
): Promise<Readiness> {
  const readiness = await ensureNamespaceReady(connection, { ...target, register, log: (message, fields) => logger.info(fields ?? {}, message) });
  logger.info({ namespace: target.namespace, registered: readiness.registered, unchecked: readiness.unchecked }, 'Temporal namespace and search attributes verified');
  return readiness;
}
