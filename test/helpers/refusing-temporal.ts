import { Server, ServerCredentials, status, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { temporal } from '@temporalio/proto';

/**
 * A gRPC server that plays a Temporal frontend which will not list search attributes: the
 * namespace answers, but `OperatorService/ListSearchAttributes` is refused with `refusal`
 * (PERMISSION_DENIED, as Temporal Cloud answers an API key without the right), not offered at
 * all (UNIMPLEMENTED, from gRPC itself), or failing for another reason (FAILED_PRECONDITION). The dev server cannot be made to refuse either.
 */
export interface RefusingTemporal {
  address: string;
  close(): Promise<void>;
}

type Message = { encode(message: object): { finish(): Uint8Array }; decode(bytes: Uint8Array): object };

function unary(path: string, request: Message, response: Message) {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: (message: object) => Buffer.from(request.encode(message).finish()),
    requestDeserialize: (bytes: Buffer) => request.decode(bytes),
    responseSerialize: (message: object) => Buffer.from(response.encode(message).finish()),
    responseDeserialize: (bytes: Buffer) => response.decode(bytes),
  };
}

const ws = temporal.api.workflowservice.v1;
const ops = temporal.api.operatorservice.v1;

export async function startRefusingTemporal(refusal: 'permission-denied' | 'unimplemented' | 'failed-precondition'): Promise<RefusingTemporal> {
  const server = new Server();
  const workflowService: ServiceDefinition = {
    DescribeNamespace: unary('/temporal.api.workflowservice.v1.WorkflowService/DescribeNamespace', ws.DescribeNamespaceRequest, ws.DescribeNamespaceResponse),
  };
  server.addService(workflowService, {
    DescribeNamespace: (call: { request: { namespace: string } }, callback: (error: null, answer: object) => void) =>
      callback(null, { namespaceInfo: { name: call.request.namespace } }),
  } as UntypedServiceImplementation);
  if (refusal !== 'unimplemented') {
    const operatorService: ServiceDefinition = {
      ListSearchAttributes: unary('/temporal.api.operatorservice.v1.OperatorService/ListSearchAttributes', ops.ListSearchAttributesRequest, ops.ListSearchAttributesResponse),
    };
    server.addService(operatorService, {
      ListSearchAttributes: (_call: unknown, callback: (error: object) => void) =>
        callback(
          refusal === 'permission-denied'
            ? { code: status.PERMISSION_DENIED, details: 'Request unauthorized.' }
            : { code: status.FAILED_PRECONDITION, details: 'visibility store is not ready' },
        ),
    } as UntypedServiceImplementation);
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
