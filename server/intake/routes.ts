import { gunzipSync } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { AppError, badRequest } from '../errors.js';
import type { AppDeps } from '../http/deps.js';
import { keyResolverOf } from '../http/auth.js';
import { limitBody, shedLoad } from '../http/load.js';
import { ApiRouter, parseJsonBody } from '../http/router.js';
import { originRefusal } from '../keys/cors.js';
import { requireScope } from '../keys/scopes.js';
import type { FieldDef, FieldRegistry } from '../../engine/schema/field.js';
import { takeIn } from './apply.js';
import {
  checkBodySize, IntakeMapping, MAX_BATCH_BYTES, readWriteKey, SEGMENT_METHODS, segmentBodySchema, translateRequest, type SegmentRoute,
} from './segment.js';

/** One list per field registry (the world's changes with every field made): translation indexes it once. */
const fieldLists = new WeakMap<FieldRegistry, readonly FieldDef[]>();
export function fieldsOf(registry: FieldRegistry): readonly FieldDef[] {
  let list = fieldLists.get(registry);
  if (!list) fieldLists.set(registry, (list = registry.all()));
  return list;
}

/** The meta key of the user's own names for events and traits (Settings → Data in). */
export const MAPPING_KEY = 'intake_mapping';

/** The user's table of names, or an empty one. */
export async function readMapping(db: { getMeta(key: string): Promise<string | null> }): Promise<z.output<typeof IntakeMapping>> {
  const text = await db.getMeta(MAPPING_KEY);
  return IntakeMapping.parse(text ? JSON.parse(text) : {});
}

/**
 * Segment's ways to send the key (its HTTP Tracking API): HTTP Basic with the key as the user name
 * (what `@segment/analytics-node` and RudderStack's SDK do), `writeKey` in the body (what
 * `sendBeacon` can carry), or our own `Authorization: Bearer`.
 */
function keyOf(c: Context, body: unknown): string | null {
  const header = c.req.header('authorization') ?? '';
  const basic = /^Basic\s+(\S+)\s*$/i.exec(header);
  if (basic) {
    const text = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = text.indexOf(':');
    return (colon < 0 ? text : text.slice(0, colon)) || null;
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  return readWriteKey(body) ?? null;
}

const Answer = z.object({ success: z.literal(true) });

/**
 * The body of a `/v1` call as JSON, read once per request: whatever its Content-Type, and
 * unzipped when it comes gzipped (RudderStack's Node SDK gzips by default), held to Segment's size
 * limits after unzipping.
 */
async function segmentBody(c: Context): Promise<{ value: unknown; bytes: number }> {
  const cached = c.get('segmentBody' as never) as { value: unknown; bytes: number } | undefined;
  if (cached) return cached;
  const raw = Buffer.from(await c.req.arrayBuffer());
  const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase();
  let bytes: Buffer;
  if (encoding === 'gzip') {
    try {
      bytes = gunzipSync(raw, { maxOutputLength: MAX_BATCH_BYTES + 1 });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new AppError(413, tooLarge);
      throw badRequest(`The body says "Content-Encoding: gzip" but does not unzip: ${(e as Error).message}`);
    }
  } else if (encoding === 'identity' || encoding === '') {
    bytes = raw;
  } else {
    throw new AppError(415, `The body is encoded as "${encoding}": send it plain or gzipped`);
  }
  // The largest any route takes; each route holds its calls to their own limit.
  if (bytes.length > MAX_BATCH_BYTES) throw new AppError(413, tooLarge);
  const body = { value: parseJsonBody(bytes.toString('utf8')), bytes: bytes.length };
  c.set('segmentBody' as never, body as never);
  return body;
}

const tooLarge = `The request body is larger than ${MAX_BATCH_BYTES / 1024} KB (Segment's limit for a batch): send it in smaller batches`;

const DESCRIPTIONS: Record<SegmentRoute, string> = {
  track: 'An event: its name becomes the event type (Segment\'s standard names to Scoremap\'s, others in lower snake case), its properties the event\'s props.',
  identify: 'Who the person is: traits set fields (email, names, title → job_title, company, industry, employees → company_size, country, custom fields by key).',
  page: 'A page view: recorded as `page_visited` with url, path, title and referrer.',
  screen: 'A screen view in an app: recorded as `page_visited`.',
  group: 'The company the person belongs to: traits set the company fields.',
  alias: 'The person once known as `previousId` is `userId`: their contacts are merged.',
  batch: 'Several calls in one request (`{ "batch": [ … ] }`), taken in one transaction: all or none.',
};

/**
 * `/v1/*` (SPEC §10 "Segment-compatible intake"): Segment's HTTP Tracking API, so its libraries
 * and RudderStack's send here by pointing their host at Scoremap. Each request is taken in one
 * transaction and answered `{ "success": true }` once committed; a request with any bad call is
 * refused whole (400, every problem with its path) and changes nothing.
 */
export function segmentRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  const resolver = keyResolverOf(deps);
  const router = new ApiRouter('/v1', 'Segment-compatible intake', { scope: 'ingest' });
  // What arrives on the wire: a gzipped body is held to the limit again once unzipped.
  const limit = limitBody(MAX_BATCH_BYTES, () => {
    throw new AppError(413, tooLarge);
  });
  const auth: MiddlewareHandler = async function segmentAuth(c, next) {
    const body = c.req.method === 'POST' ? (await segmentBody(c)).value : undefined;
    const key = keyOf(c, body);
    if (!key) {
      c.header('WWW-Authenticate', 'Basic realm="Scoremap"');
      throw new AppError(401, 'Missing key: send an ingest key as the user name of HTTP Basic auth (the Segment libraries\' write key), or as "writeKey" in the body');
    }
    const who = await resolver.resolve(key);
    if (!who) {
      c.header('WWW-Authenticate', 'Basic realm="Scoremap"');
      throw new AppError(401, 'Wrong key: no API key has this secret (it may have been revoked)');
    }
    c.set('auth', who);
    const refused = originRefusal(who, c.req.header('origin'));
    if (refused) throw new AppError(403, refused);
    requireScope(c, who, 'ingest');
    await next();
  };
  router.hono.use('*', limit, auth, shedLoad(rt));
  for (const route of [...SEGMENT_METHODS, 'batch'] as const) {
    router.op({
      method: 'post', path: `/${route}`, summary: `Segment ${route}`, rawBody: 'application/json', rawBodySchema: segmentBodySchema(route), keyIn: 'basic-or-bearer',
      description: `${DESCRIPTIONS[route]} The key: HTTP Basic with the key as the user name, or \`writeKey\` in the body. Any Content-Type (the body is read as JSON).`,
      response: Answer,
    }, async (c) => {
      const { value: body, bytes } = await segmentBody(c);
      const size = checkBodySize(route, bytes);
      if (size) throw new AppError(413, size);
      const mapping = await readMapping(rt.store);
      const translated = translateRequest(route, body, { now: rt.clock.now(), fields: fieldsOf(rt.world.fields), mapping, makeId: () => rt.ids() });
      if (!translated.ok) throw badRequest(translated.message, { problems: translated.problems.slice(0, 50) });
      await takeIn(rt, translated.calls);
      return c.json({ success: true as const });
    });
  }
  return router;
}
