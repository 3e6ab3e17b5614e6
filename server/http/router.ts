import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AppError, badRequest } from '../errors.js';
import { defaultScope, requireScope, type Scope } from '../keys/scopes.js';
import { defaultRole, requireRole, type Role } from '../people/roles.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One operation of the API: what the OpenAPI document says about it, and what it validates. */
export interface OpSpec<B extends z.ZodType | undefined = z.ZodType | undefined, Q extends z.ZodType | undefined = z.ZodType | undefined> {
  readonly method: Method;
  /** Below the router's base, Hono style: `/:id/publish`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  /** The JSON body, validated before the handler runs (400 with the issues when it does not fit). */
  readonly body?: B;
  /** The body may be left out (empty): the handler then gets `undefined`. */
  readonly bodyOptional?: boolean;
  /** The query string, validated likewise (values arrive as strings: use z.coerce for numbers). */
  readonly query?: Q;
  /** The success status and a schema of the answer, for the document. */
  readonly status?: number;
  readonly response?: z.ZodType;
  /** Takes a raw body (e.g. CSV) instead of JSON. */
  readonly rawBody?: string;
  /** The shape of a raw body, for the document only (the handler reads and checks it itself). */
  readonly rawBodySchema?: z.ZodType;
  /** How the key is sent: `Authorization: Bearer` (default), or also HTTP Basic with the key as user name (Segment's libraries). */
  readonly keyIn?: 'bearer' | 'basic-or-bearer';
  /**
   * Which keys may use it (SPEC §10): `read` (read-only), `ingest` (the intake) or `admin` (only
   * admin keys; an admin key may use every operation). Default: the router's, else `read` for a
   * GET and `admin` for anything else.
   */
  readonly scope?: Scope;
  /**
   * Which people may use it (SPEC §12): the least role, each role having what the ones below it
   * have. Default: the router's, else `viewer` for a GET and `editor` for anything else.
   */
  readonly role?: Role;
}

export type Input<B, Q, O extends boolean = false> = {
  body: B extends z.ZodType ? (O extends true ? z.infer<B> | undefined : z.infer<B>) : undefined;
  query: Q extends z.ZodType ? z.infer<Q> : undefined;
};

/** An operation as registered, with its full path and its scope settled. */
export type RegisteredOp = OpSpec & { readonly fullPath: string; readonly tag: string; readonly scope: Scope; readonly role: Role };

/**
 * The forms a union of objects accepts, as a person writes them: `{ to } or { ms }` (optional keys
 * with a "?"), or null when `schema` is not such a union.
 */
export function acceptedForms(schema: z.ZodType | undefined): string | null {
  const def = (schema as { def?: { type?: string; options?: readonly z.ZodType[] } } | undefined)?.def;
  if (def?.type !== 'union' || !def.options?.length) return null;
  const forms: string[] = [];
  for (const option of def.options) {
    const shape = (option as { def?: { type?: string; shape?: Record<string, z.ZodType> } }).def;
    if (shape?.type !== 'object' || !shape.shape) return null;
    const keys = Object.entries(shape.shape).map(([k, v]) => (v.safeParse(undefined).success ? `${k}?` : k));
    forms.push(`{ ${keys.join(', ')} }`);
  }
  return forms.length > 1 ? `${forms.slice(0, -1).join(', ')} or ${forms[forms.length - 1]}` : forms[0];
}

/**
 * Turns zod issues into one message a person reads, plus the issues as details. When the value
 * fits none of the forms a union takes, the message names them ("send { to } or { ms }").
 */
export function zodError(where: string, error: z.ZodError, schema?: z.ZodType): AppError {
  const first = error.issues[0];
  const at = first?.path.length ? `${first.path.join('.')}: ` : '';
  // A union with words of its own keeps them; zod's default ("Invalid input") says nothing.
  const forms = first?.code === 'invalid_union' && first.path.length === 0 && first.message === 'Invalid input' ? acceptedForms(schema) : null;
  const why = forms ? `send ${forms}` : first?.message ?? 'invalid';
  return badRequest(`The ${where} is not valid: ${at}${why}`, {
    issues: error.issues.slice(0, 50).map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}

/**
 * One router per resource (STYLE): a Hono app plus the list of its operations, so the OpenAPI
 * document is generated from the same zod schemas that validate the requests.
 */
export class ApiRouter {
  readonly hono = new Hono();
  readonly ops: RegisteredOp[] = [];

  /**
   * `opts.scope`: the scope of every operation that names none (`admin` for a resource whose very
   * list is admin's); `opts.role` likewise the role people need.
   */
  constructor(readonly base: string, readonly tag: string, private readonly opts: { readonly scope?: Scope; readonly role?: Role } = {}) {}

  op<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, O extends boolean = false>(
    spec: OpSpec<B, Q> & { readonly bodyOptional?: O },
    handler: (c: Context, input: Input<B, Q, O>) => Response | Promise<Response>,
  ): this {
    const scope = spec.scope ?? this.opts.scope ?? defaultScope(spec.method);
    const role = spec.role ?? this.opts.role ?? defaultRole(spec.method);
    this.ops.push({ ...spec, fullPath: `${this.base}${spec.path === '/' ? '' : spec.path}`, tag: this.tag, scope, role });
    this.hono.on(spec.method.toUpperCase(), spec.path, async (c) => {
      // The auth middleware checked already; checked again here, where the operation is certain.
      const auth = c.get('auth');
      if (auth) {
        requireScope(c, auth, scope);
        requireRole(c, auth, role);
      }
      refuseBadText(c.req.param(), 'The path');
      refuseBadText(c.req.queries(), 'The query string');
      let query: unknown;
      if (spec.query) {
        const parsed = spec.query.safeParse(c.req.query());
        if (!parsed.success) throw zodError('query string', parsed.error, spec.query);
        query = parsed.data;
      }
      let body: unknown;
      // An optional body left out needs no content type; one that is sent is held to the schema.
      if (spec.body && !(spec.bodyOptional && (await c.req.text()).trim() === '')) {
        const parsed = spec.body.safeParse(await readJson(c));
        if (!parsed.success) throw zodError('request body', parsed.error, spec.body);
        body = parsed.data;
      }
      return handler(c, { body, query } as Input<B, Q, O>);
    });
    return this;
  }
}

/**
 * Reads a JSON body; anything else is refused with 415 or 400 in words. `anyType`: JSON whatever
 * the Content-Type says (a browser's `sendBeacon` and Segment's web library send `text/plain`,
 * which needs no CORS preflight).
 */
export async function readJson(c: Context, opts: { anyType?: boolean } = {}): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!opts.anyType && !/^application\/(.+\+)?json\b/i.test(type)) {
    throw new AppError(415, `Send JSON with "Content-Type: application/json"${type ? ` (got "${type}")` : ''}`);
  }
  return parseJsonBody(await c.req.text());
}

/** A request body's text as JSON; an empty body, bad JSON or text no database holds is refused (400) in words. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw badRequest('The request body is empty: send a JSON document');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badRequest(`The request body is not valid JSON: ${(e as Error).message}`);
  }
  // Only an escape can make a lone surrogate or a NUL (decoding the bytes never does): look closer only then.
  if (TEXT_ESCAPE.test(text)) refuseBadText(value, 'The request body');
  return value;
}

const TEXT_ESCAPE = /\\u([dD][89a-fA-F]|0000)/;
/** A UTF-16 surrogate without its pair: no database stores it as written (SQLite turns it into U+FFFD, so "\ud800" and "\udc00" would be one id). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be stored as written, or null: PostgreSQL's text holds no NUL, and no database holds half a surrogate pair. */
function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'holds the NUL character (U+0000), which text cannot hold';
  if (LONE_SURROGATE.test(s)) return 'holds half of a UTF-16 surrogate pair (like "\\ud800" alone); text must be valid Unicode';
  return null;
}

/** Refuses (400) a value with a key or a string anywhere in it that text cannot hold; walks without recursion. */
export function refuseBadText(value: unknown, what: string): void {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    let problem: string | null = null;
    if (typeof v === 'string') {
      problem = textProblem(v);
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        problem ??= textProblem(k);
        stack.push(x);
      }
    }
    if (problem) throw badRequest(`${what} is not valid: it ${problem}`);
  }
}
