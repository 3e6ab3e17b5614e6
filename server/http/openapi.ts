import { z } from 'zod';
import { Condition } from '../../engine/schema/condition.js';
import { scopeSentence } from '../keys/scopes.js';
import { roleSentence } from '../people/roles.js';
import type { RegisteredOp } from './router.js';
import { OPEN_ROUTES } from './auth.js';

/** Schemas that recur (and recurse): named once in components, referenced everywhere. */
const SHARED: ReadonlyArray<[z.ZodType, string]> = [[Condition, 'Condition']];

/**
 * How an operation is authorised: signing in and out need nothing; the intake takes keys only (as
 * HTTP Basic too); the rest of the API a key or the token, or a person's session cookie.
 */
function securityOf(op: RegisteredOp): Record<string, never[]>[] {
  if (OPEN_ROUTES.some((r) => r.method === op.method.toUpperCase() && r.path === op.fullPath)) return [];
  if (op.keyIn === 'basic-or-bearer') return [{ basic: [] }, { bearer: [] }];
  return [{ bearer: [] }, { session: [] }];
}

const opName = (op: RegisteredOp) =>
  `${op.method}_${op.fullPath}`.replace(/\/api\//, '').replace(/[/:]+/g, '_').replace(/[^A-Za-z0-9_]/g, '');

/**
 * The OpenAPI 3 document, generated from the routers' operations and their zod schemas in one
 * pass, so recursive schemas (conditions) become components that `$ref`s resolve to.
 */
export function openApiDocument(ops: readonly RegisteredOp[], version: string): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of SHARED) registry.add(schema, { id });
  const named = new Map<z.ZodType, string>(SHARED.map(([s, id]) => [s, id]));
  const name = (schema: z.ZodType, suggestion: string): string => {
    let id = named.get(schema);
    if (!id) {
      id = suggestion;
      named.set(schema, id);
      registry.add(schema, { id });
    }
    return id;
  };
  const bodyIds = new Map<RegisteredOp, { body?: string; query?: string; response?: string }>();
  for (const op of ops) {
    bodyIds.set(op, {
      body: op.body ? name(op.body, `${opName(op)}_body`) : op.rawBodySchema ? name(op.rawBodySchema, `${opName(op)}_body`) : undefined,
      query: op.query ? name(op.query, `${opName(op)}_query`) : undefined,
      response: op.response ? name(op.response, `${opName(op)}_response`) : undefined,
    });
  }
  const generated = z.toJSONSchema(registry, {
    target: 'openapi-3.0', io: 'input', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Record<string, unknown>> };
  const schemas: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    const { $id: _drop, ...rest } = schema;
    schemas[id] = rest;
  }
  const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ops) {
    const ids = bodyIds.get(op)!;
    const path = op.fullPath.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: unknown[] = [...op.fullPath.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({
      name: m[1], in: 'path', required: true, schema: { type: 'string' },
    }));
    if (ids.query) {
      const shape = schemas[ids.query] as { properties?: Record<string, unknown>; required?: string[] };
      for (const [param, schema] of Object.entries(shape.properties ?? {})) {
        parameters.push({ name: param, in: 'query', required: shape.required?.includes(param) ?? false, schema });
      }
    }
    const status = String(op.status ?? 200);
    (paths[path] ??= {})[op.method] = {
      operationId: opName(op),
      tags: [op.tag],
      summary: op.summary,
      description: `${op.description ? `${op.description}\n\n` : ''}${scopeSentence(op.scope)} ${roleSentence(op.role)}`,
      'x-scope': op.scope,
      'x-role': op.role,
      ...(parameters.length ? { parameters } : {}),
      ...(ids.body && !op.rawBody ? { requestBody: { required: !op.bodyOptional, content: { 'application/json': { schema: ref(ids.body) } } } } : {}),
      ...(op.rawBody ? { requestBody: { required: true, content: { [op.rawBody]: { schema: ids.body ? ref(ids.body) : { type: 'string' } } } } } : {}),
      responses: {
        [status]: { description: 'Success', ...(ids.response ? { content: { 'application/json': { schema: ref(ids.response) } } } : {}) },
        '4XX': { description: 'The request was refused: `{ "error": { "message", "details"? } }`' },
      },
      security: securityOf(op),
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Scoremap API', version, description: 'Lead-scoring automation maps. Every request needs `Authorization: Bearer <token>`: the start-up token or an API key '
      + '(the Segment-compatible `/v1` routes also take it as HTTP Basic user name, or `writeKey` in the body). '
      + 'A key\'s scope (`admin`, `ingest`, `read`) decides what it may use: each operation says which in `x-scope` and its description.' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        basic: { type: 'http', scheme: 'basic', description: 'The key as the user name, the password empty (what Segment\'s libraries send as the write key).' },
        session: { type: 'apiKey', in: 'cookie', name: 'scoremap_session', description: 'A person\'s session, from `POST /api/session`; a request that changes something also sends `X-Scoremap-Request: 1`.' },
      },
      schemas,
    },
    paths,
  };
}
