import { z } from 'zod';
import type { RegisteredOp } from './router.js';

const jsonSchema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' });

/** The OpenAPI 3 document, generated from the routers' operations and their zod schemas. */
export function openApiDocument(ops: readonly RegisteredOp[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ops) {
    const path = op.fullPath.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: unknown[] = [...op.fullPath.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({
      name: m[1], in: 'path', required: true, schema: { type: 'string' },
    }));
    if (op.query) {
      const shape = jsonSchema(op.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(shape.properties ?? {})) {
        parameters.push({ name, in: 'query', required: shape.required?.includes(name) ?? false, schema });
      }
    }
    const status = String(op.status ?? 200);
    (paths[path] ??= {})[op.method] = {
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body) } } } } : {}),
      ...(op.rawBody ? { requestBody: { required: true, content: { [op.rawBody]: { schema: { type: 'string' } } } } } : {}),
      responses: {
        [status]: { description: 'Success', ...(op.response ? { content: { 'application/json': { schema: jsonSchema(op.response) } } } : {}) },
        '4XX': { description: 'The request was refused: `{ "error": { "message", "details"? } }`' },
      },
      security: [{ bearer: [] }],
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Scoremap API', version, description: 'Lead-scoring automation maps. Every request needs `Authorization: Bearer <token>`.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
