import type { AccessRule } from '../src/api/access';

/**
 * The operations of the generated OpenAPI document, as the authorization matrix and the fuzzer
 * read them: method, path template, access rule (`x-access`), parameters and the JSON request
 * body schema, with every `$ref` resolved. Nothing here is a hand list of routes.
 */
export type JsonSchema = Record<string, any>;

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `METHOD /path/{param}`, the key of the access table. */
  key: string;
  method: string;
  path: string;
  /** undefined when the document has no `x-access` for it (the matrix fails on that). */
  rule: AccessRule | undefined;
  pathParams: Parameter[];
  queryParams: Parameter[];
  /** The `application/json` request body schema, if the operation takes one. */
  body: JsonSchema | undefined;
  bodyRequired: boolean;
  /** Documented responses: status → content type → schema. */
  responses: Record<string, Record<string, JsonSchema | undefined>>;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/** Resolves local `$ref`s (recursively, once per node; the documents here are not cyclic). */
export function deref(schema: unknown, doc: any, seen = new Set<string>()): any {
  if (Array.isArray(schema)) return schema.map((s) => deref(s, doc, seen));
  if (!schema || typeof schema !== 'object') return schema;
  const ref = (schema as any).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    if (seen.has(ref)) return {};
    const target = ref
      .slice(2)
      .split('/')
      .reduce((node: any, part: string) => node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    const { $ref: _ignored, ...rest } = schema as any;
    return deref({ ...target, ...rest }, doc, new Set([...seen, ref]));
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, deref(v, doc, seen)]));
}

export function operationsOf(doc: any): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    for (const [method, raw] of Object.entries<any>(item)) {
      if (!METHODS.has(method)) continue;
      const op = deref(raw, doc);
      const params: Parameter[] = [...(deref(item.parameters ?? [], doc) as Parameter[]), ...((op.parameters ?? []) as Parameter[])];
      const responses: Operation['responses'] = {};
      for (const [status, response] of Object.entries<any>(op.responses ?? {})) {
        responses[status] = Object.fromEntries(Object.entries<any>(response.content ?? {}).map(([type, c]) => [type, c.schema]));
      }
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        rule: op['x-access']?.rule,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        body: op.requestBody?.content?.['application/json']?.schema,
        bodyRequired: Boolean(op.requestBody?.required ?? op.requestBody),
        responses,
      });
    }
  }
  return operations;
}

/** `/messages/{id}/reply` with `{id: 'x/y'}` → `/messages/x%2Fy/reply`. */
export function fillPath(template: string, params: Record<string, string>, encode = true): string {
  return template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = params[name] ?? '';
    return encode ? encodeURIComponent(value) : value;
  });
}
