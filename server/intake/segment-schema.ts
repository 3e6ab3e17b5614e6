/**
 * Segment's HTTP Tracking API calls as zod schemas (SPEC §10): track, identify, page, screen, group,
 * alias and batch, as the official libraries send them. Lenient as Segment is: keys the schemas do
 * not name (`_metadata`, `integrations`, `channel`, `context.library`, …) are kept and ignored,
 * `null` is the same as absent, and ids may be numbers. What is refused says where and why.
 */
import { z } from 'zod';

/** The six calls. */
export const SEGMENT_METHODS = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type SegmentMethod = (typeof SEGMENT_METHODS)[number];
/** The routes: `/v1/<route>`. */
export type SegmentRoute = SegmentMethod | 'batch';

/** Segment's limit for one call, alone or inside a batch (32 KB). */
export const MAX_CALL_BYTES = 32 * 1024;
/** Segment's limit for a batch request (500 KB). */
export const MAX_BATCH_BYTES = 500 * 1024;
/** Segment's limit of calls in one batch. */
export const MAX_BATCH_CALLS = 2_500;
/** The longest id (user, anonymous, previous, group) taken: what a contact id may be (SPEC §1). */
export const MAX_ID_LENGTH = 200;

/** The largest body a route takes, in bytes. */
export function maxBodyBytes(route: SegmentRoute): number {
  return route === 'batch' ? MAX_BATCH_BYTES : MAX_CALL_BYTES;
}

/**
 * Whether a body of `bytes` bytes fits the route's limit: `null` when it does, else the refusal in
 * words (Segment answers 400 for it; the official libraries then do not retry).
 */
export function checkBodySize(route: SegmentRoute, bytes: number): string | null {
  const max = maxBodyBytes(route);
  if (bytes <= max) return null;
  return route === 'batch'
    ? `The batch is ${bytes.toLocaleString('en-US')} bytes; a batch may be at most 500 KB (${max.toLocaleString('en-US')} bytes): send it in smaller batches`
    : `The call is ${bytes.toLocaleString('en-US')} bytes; a call may be at most 32 KB (${max.toLocaleString('en-US')} bytes): send fewer or shorter properties and traits`;
}

/** The size of a value as JSON text, in bytes (UTF-8): how a call inside a batch is measured. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

const ISO_LIKE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * An ISO-8601 time as clients write it, in epoch ms, or `null` when it is none. Lenient where
 * Segment's own examples are (`2015-2-02T00:30:08.276Z`: one-digit month or day; a space for the
 * `T`; a date alone, meaning its midnight); a time without a zone is taken as UTC.
 */
export function parseSegmentTime(text: string): number | null {
  const m = ISO_LIKE.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((p) => (p === undefined ? undefined : Number(p))) as number[];
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offset = 0;
  const zone = m[8]?.toUpperCase();
  if (zone && zone !== 'Z') {
    const [, sign, hh, mm = '0'] = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    if (Number(hh) > 23 || Number(mm) > 59) return null;
    offset = (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm)) * 60_000;
  }
  // Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear does not.
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  d.setUTCFullYear(year);
  return d.getTime() - offset;
}

/** A time field: an ISO-8601 string, read to epoch ms. */
const Time = (key: string) =>
  z
    .string({ error: `"${key}" is an ISO-8601 time such as 2026-01-01T10:00:00Z` })
    .transform((text, ctx) => {
      const at = parseSegmentTime(text);
      if (at === null) {
        ctx.issues.push({ code: 'custom', input: text, message: `${JSON.stringify(text.slice(0, 100))} is not an ISO-8601 time such as 2026-01-01T10:00:00Z` });
        return z.NEVER;
      }
      return at;
    })
    .nullish()
    .meta({ description: 'An ISO-8601 time, e.g. 2026-01-01T10:00:00Z' });

/** An id: text, or a number taken as its text (`42` → `"42"`), as Segment's libraries allow. Empty is absent. */
const Id = (key: string) =>
  z
    .union([z.string(), z.number()], { error: `"${key}" is text or a number` })
    .transform((v) => (typeof v === 'number' ? String(v) : v))
    .refine((v) => v.length <= MAX_ID_LENGTH, `"${key}" has at most ${MAX_ID_LENGTH} characters`)
    .transform((v) => (v === '' ? undefined : v))
    .nullish();

/** An object of names and values (properties, traits). */
const Dict = (key: string) =>
  z.record(z.string(), z.unknown(), { error: `"${key}" is an object of names and values` }).nullish();

/** What Scoremap reads of `context`; the rest (`library`, `ip`, `userAgent`, …) is kept and ignored. */
export const SegmentContext = z
  .looseObject({ traits: Dict('context.traits'), page: Dict('context.page') }, { error: '"context" is an object' })
  .nullish();

/** The fields every call may carry. */
const common = {
  userId: Id('userId'),
  anonymousId: Id('anonymousId'),
  // Not held to MAX_ID_LENGTH: a longer one is hashed into an event id, so a resend still matches.
  messageId: z
    .union([z.string(), z.number()], { error: '"messageId" is text or a number' })
    .transform((v) => (v === '' ? undefined : String(v)))
    .nullish()
    .meta({ description: 'The event id: a call sent again with the same messageId is a duplicate' }),
  timestamp: Time('timestamp'),
  originalTimestamp: Time('originalTimestamp'),
  sentAt: Time('sentAt'),
  context: SegmentContext,
  integrations: z.unknown().optional().meta({ description: 'Accepted and ignored' }),
};

const ANY_ID = (m: string) => `${m === 'identify' ? 'an' : 'a'} ${m} call needs a "userId" or an "anonymousId"`;

/** One call's schema: its `type`, the common fields, its own, and what it cannot do without. */
function call<M extends SegmentMethod, T extends z.ZodType, S extends z.core.$ZodLooseShape>(method: M, type: T, shape: S) {
  return z
    .looseObject({ type, ...common, ...shape }, { error: `send a JSON object: a Segment ${method} call` })
    .superRefine((c, ctx) => {
      const v = c as Record<string, unknown>;
      const need = (ok: unknown, message: string) => ok || ctx.addIssue({ code: 'custom', message, input: c });
      if (method === 'alias') {
        need(v.previousId && v.userId, 'an alias call needs a "previousId" (the id it replaces) and a "userId"');
        return;
      }
      need(v.userId || v.anonymousId, ANY_ID(method));
      if (method === 'track') need(typeof v.event === 'string' && v.event.trim() !== '', 'a track call needs an "event" name');
      if (method === 'group') need(v.groupId, 'a group call needs a "groupId"');
    });
}

const Name = (key: string) => z.string({ error: `"${key}" is text` }).nullish();

const shapes = {
  track: { event: z.string({ error: 'the "event" name is text' }).optional(), properties: Dict('properties') },
  identify: { traits: Dict('traits') },
  page: { name: Name('name'), category: Name('category'), properties: Dict('properties') },
  screen: { name: Name('name'), category: Name('category'), properties: Dict('properties') },
  group: { groupId: Id('groupId'), traits: Dict('traits') },
  alias: { previousId: Id('previousId') },
} as const;

/** On a method's own route `type` may be left out; one naming another method went to the wrong route. */
const routeType = <M extends SegmentMethod>(method: M) =>
  z
    .literal(method, {
      error: (iss) => {
        const other = typeof iss.input === 'string' && (SEGMENT_METHODS as readonly string[]).includes(iss.input) ? iss.input : 'batch';
        return `this route takes ${method} calls, and the call says "type": ${JSON.stringify(iss.input)}: send it to /v1/${other}`;
      },
    })
    .optional();

/** The body of `/v1/track`, `/v1/identify`, … (`writeKey` may ride along; it is kept). */
export const SegmentCalls = {
  track: call('track', routeType('track'), shapes.track),
  identify: call('identify', routeType('identify'), shapes.identify),
  page: call('page', routeType('page'), shapes.page),
  screen: call('screen', routeType('screen'), shapes.screen),
  group: call('group', routeType('group'), shapes.group),
  alias: call('alias', routeType('alias'), shapes.alias),
};

/** In a batch, `type` names the call and is required. */
const batchCalls = {
  track: call('track', z.literal('track'), shapes.track),
  identify: call('identify', z.literal('identify'), shapes.identify),
  page: call('page', z.literal('page'), shapes.page),
  screen: call('screen', z.literal('screen'), shapes.screen),
  group: call('group', z.literal('group'), shapes.group),
  alias: call('alias', z.literal('alias'), shapes.alias),
};

/** A call inside a batch: its `type` says which. */
export const SegmentBatchCall = z.discriminatedUnion(
  'type',
  [batchCalls.track, batchCalls.identify, batchCalls.page, batchCalls.screen, batchCalls.group, batchCalls.alias],
  {
    error: (iss) =>
      typeof iss.input === 'object' && iss.input !== null && !Array.isArray(iss.input)
        ? `a call in a batch needs a "type": one of ${SEGMENT_METHODS.join(', ')}`
        : 'a call in a batch is an object with a "type"',
  },
);

/** The body of `/v1/batch`: calls, and a `context`, `sentAt` and `integrations` for all of them. */
export const SegmentBatch = z.looseObject(
  {
    batch: z
      .array(SegmentBatchCall, { error: '"batch" is a list of calls' })
      .max(MAX_BATCH_CALLS, `a batch holds at most ${MAX_BATCH_CALLS.toLocaleString('en-US')} calls: send the rest in another batch`),
    context: SegmentContext.meta({ description: "Merged into every call's own context (the call's wins)" }),
    sentAt: Time('sentAt').meta({ description: "The client's clock when it sent the batch: corrects the calls' originalTimestamp" }),
    integrations: z.unknown().optional(),
  },
  { error: 'send a JSON object: a Segment batch { "batch": [ … ] }' },
);

type Merged = typeof common & typeof shapes.track & typeof shapes.identify & typeof shapes.page & typeof shapes.group & typeof shapes.alias;
/** A call as parsed, whichever its method: ids as text, times as epoch ms, every field optional. */
export type ParsedCall = { type?: SegmentMethod } & { [K in keyof Merged]?: z.output<Merged[K]> };

/** The body schema of a route, for validation and the API document. */
export function segmentBodySchema(route: SegmentRoute): z.ZodType {
  return route === 'batch' ? SegmentBatch : SegmentCalls[route];
}
