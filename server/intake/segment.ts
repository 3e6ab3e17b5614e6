/**
 * Segment-compatible intake, the pure part (SPEC §10): a `/v1/*` request body in, the calls the
 * runtime applies out — who each is about, the event it records, the fields it sets, the merge it
 * asks for. No database and no HTTP here: the routes authenticate, resolve identities and store.
 *
 * Choices a user can rely on:
 * - Event names: the user's table, then Segment's standard names, then lower snake case
 *   (segment-names.ts). `page` and `screen` are `page_visited`.
 * - Props: flattened with dots, lists as JSON text, cut to the limits rather than refused
 *   (segment-props.ts). Traits: to fields by the user's table, the field's key, Segment's reserved
 *   names (segment-traits.ts).
 * - Time: `timestamp` when given; else `originalTimestamp` moved by the client's clock skew,
 *   `now - (sentAt - originalTimestamp)` (the batch's `sentAt` for calls without their own); else
 *   the time the request came in.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EventType } from '../../engine/schema/event.js';
import { FieldKey, type FieldDef } from '../../engine/schema/field.js';
import { eventTypeFor, NameTable } from './segment-names.js';
import { pageProps, trackProps } from './segment-props.js';
import { fieldIndex, fieldsFromTraits, type IntakeFieldValue } from './segment-traits.js';
import {
  jsonBytes, MAX_CALL_BYTES, SegmentBatch, SegmentCalls,
  type ParsedCall, type SegmentMethod, type SegmentRoute,
} from './segment-schema.js';

export * from './segment-schema.js';
export { snakeCase, STANDARD_EVENTS } from './segment-names.js';
export { PROTECTED_FIELDS, type IntakeFieldValue } from './segment-traits.js';
export { flatten, MAX_PROP_NAME, MAX_PROPS } from './segment-props.js';

/** The longest event id (the `id` of an event, SPEC §1); a longer messageId is hashed. */
export const MAX_EVENT_ID = 200;

/**
 * A user's own names (the intake settings): Segment event name → event type, and trait name (or
 * dotted path, `address.city`) → field key. They win over the defaults. An empty value means
 * "ignore": the event is not recorded (the call still names its person), the trait is not written.
 */
export const IntakeMapping = z.strictObject({
  events: z.record(z.string().trim().min(1).max(200), z.union([EventType, z.literal('')])).default({}),
  traits: z.record(z.string().trim().min(1).max(200), z.union([FieldKey, z.literal('')])).default({}),
});
export type IntakeMapping = z.input<typeof IntakeMapping>;

/** What a translation needs from the outside. */
export interface IntakeContext {
  /** When the request came in (epoch ms): Segment's `receivedAt`. */
  readonly now: number;
  /** The field catalog: built-in and custom fields. */
  readonly fields: readonly FieldDef[];
  /** The user's own names, winning over the defaults. */
  readonly mapping?: IntakeMapping;
  /** An event id for a call without a `messageId`. */
  readonly makeId: () => string;
}

/** The person a call names, as given; the identity code decides who that is (and any merge). */
export interface IntakeWho {
  /** `userId`: the contact's `external_id`. */
  readonly userId?: string;
  /** The email the person's traits give (`traits.email` on identify, `context.traits.email`). */
  readonly email?: string;
  readonly anonymousId?: string;
}

/** An event to record, ready for the runtime's event input. */
export interface IntakeEvent {
  /** The `messageId` (or a hash of one over 200 characters), else a new id. */
  readonly id: string;
  readonly type: string;
  /** Epoch ms. */
  readonly at: number;
  readonly props: Readonly<Record<string, string | number | boolean>>;
}

/** One call, translated. */
export interface IntakeCall {
  /** The `messageId` (hashed past 200 characters), else a new id: the event's id, and what history names as the cause of the fields the call sets. */
  readonly id: string;
  readonly method: SegmentMethod;
  /** Where the call sits: `batch[3]` in a batch, `` for a call on its own route (for messages). */
  readonly where: string;
  readonly who: IntakeWho;
  /** The call's time (epoch ms), also the event's. */
  readonly at: number;
  /** track, page, screen: what happened (absent when the user's table ignores the event). */
  readonly event?: IntakeEvent;
  /** Field key → value from the traits (identify, group, and any call's `context.traits`). */
  readonly fields?: Readonly<Record<string, IntakeFieldValue>>;
  /** alias: merge the contact known by `previousId` into the one known by `userId`. */
  readonly alias?: { readonly previousId: string; readonly userId: string };
  /** group: the group's id, as given (not applied by default). */
  readonly groupId?: string;
}

/** Something refused, at a path a person can find in what they sent (`batch[3].timestamp`). */
export interface IntakeProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * A translated request: every call, or the problems (with the calls that did translate, should a
 * route choose to take those). `message` is the first problem in words, fit for a 400.
 */
export type IntakeResult =
  | { readonly ok: true; readonly calls: IntakeCall[] }
  | { readonly ok: false; readonly message: string; readonly problems: IntakeProblem[]; readonly calls: IntakeCall[] };

/** What a batch gives each of its calls. */
export interface BatchDefaults {
  readonly sentAt?: number | null;
  readonly context?: { readonly traits?: Record<string, unknown> | null; readonly page?: Record<string, unknown> | null } | null;
}

/** The `writeKey` a body carries (Segment's other way to authenticate), if any. */
export function readWriteKey(body: unknown): string | undefined {
  const key = typeof body === 'object' && body !== null ? (body as { writeKey?: unknown }).writeKey : undefined;
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/**
 * Validates and translates a `/v1/<route>` body. Nothing is half-read: a body with any problem
 * answers every problem found (calls over 32 KB in a batch included), each with its path.
 */
export function translateRequest(route: SegmentRoute, body: unknown, ctx: IntakeContext): IntakeResult {
  const problems: IntakeProblem[] = [];
  const calls: IntakeCall[] = [];
  if (route === 'batch') {
    const items = (body as { batch?: unknown } | null)?.batch;
    if (Array.isArray(items)) {
      items.forEach((item, i) => {
        const bytes = jsonBytes(item);
        if (bytes > MAX_CALL_BYTES) problems.push({ path: `batch[${i}]`, message: `the call is ${bytes.toLocaleString('en-US')} bytes; a call may be at most 32 KB (${MAX_CALL_BYTES.toLocaleString('en-US')} bytes)` });
      });
    }
    if (problems.length) return refused(problems, calls);
    const parsed = SegmentBatch.safeParse(body);
    if (!parsed.success) return refused(parsed.error.issues.map(problemOf), calls);
    const defaults: BatchDefaults = { sentAt: parsed.data.sentAt, context: parsed.data.context };
    parsed.data.batch.forEach((call, i) => {
      const r = translateCall(call.type, call, ctx, { where: `batch[${i}]`, batch: defaults });
      if (r.ok) calls.push(r.call);
      else problems.push(r.problem);
    });
  } else {
    const parsed = SegmentCalls[route].safeParse(body);
    if (!parsed.success) return refused(parsed.error.issues.map(problemOf), calls);
    const r = translateCall(route, parsed.data, ctx);
    if (r.ok) calls.push(r.call);
    else problems.push(r.problem);
  }
  return problems.length ? refused(problems, calls) : { ok: true, calls };
}

function refused(problems: IntakeProblem[], calls: IntakeCall[]): IntakeResult {
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${(problems.length - 1).toLocaleString('en-US')} more ${problems.length === 2 ? 'problem' : 'problems'})` : '';
  return { ok: false, message: `${first.path ? `${first.path}: ` : ''}${first.message}${more}`, problems, calls };
}

/**
 * A zod issue as a problem. A message that already quotes its key (`"properties" is an object…`)
 * is placed at the call rather than repeating the key: `batch[3]: "properties" is an object…`.
 */
function problemOf(issue: z.core.$ZodIssue): IntakeProblem {
  let path = issue.path.filter((p) => typeof p !== 'symbol') as (string | number)[];
  for (let n = path.length; n > 0; n--) {
    const tail = path.slice(-n);
    if (tail.every((p) => typeof p === 'string') && issue.message.includes(`"${tail.join('.')}"`)) {
      path = path.slice(0, -n);
      break;
    }
  }
  return { path: path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join(''), message: issue.message };
}

const tables = new WeakMap<IntakeMapping, { events: NameTable; traits: NameTable }>();
const EMPTY_TABLES = { events: new NameTable(), traits: new NameTable() };
function tablesOf(mapping: IntakeMapping | undefined) {
  if (!mapping) return EMPTY_TABLES;
  let t = tables.get(mapping);
  if (!t) tables.set(mapping, (t = { events: new NameTable(mapping.events), traits: new NameTable(mapping.traits) }));
  return t;
}

/** The earliest and latest times an event may have: what ISO-8601 with a four-digit year shows. */
const MIN_TIME = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_TIME = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Translates one parsed call (a route's body, or a batch's item with `where` and the batch's
 * `sentAt` and `context`). Refuses, in words, only what cannot be recorded: an event name that
 * gives no type, or a time outside the years 0–9999.
 */
export function translateCall(
  method: SegmentMethod,
  call: ParsedCall,
  ctx: IntakeContext,
  opts: { where?: string; batch?: BatchDefaults } = {},
): { ok: true; call: IntakeCall } | { ok: false; problem: IntakeProblem } {
  const where = opts.where ?? '';
  const refuse = (message: string) => ({ ok: false as const, problem: { path: where, message } });
  const { events, traits } = tablesOf(ctx.mapping);
  const index = fieldIndex(ctx.fields);
  const batchContext = opts.batch?.context;
  const contextTraits = { ...batchContext?.traits, ...call.context?.traits };
  const page = { ...batchContext?.page, ...call.context?.page };

  const at = timeOf(call, opts.batch?.sentAt, ctx.now);
  if (!(at >= MIN_TIME && at <= MAX_TIME)) return refuse(`the call's time works out to ${at} ms since 1970, outside the years 0–9999: check "timestamp", "originalTimestamp" and "sentAt"`);

  // The person's traits: a call's own context, then (identify) the call's traits over them.
  const person = fieldsFromTraits(contextTraits, 'person', index, traits);
  if (method === 'identify') for (const [k, v] of fieldsFromTraits(call.traits, 'person', index, traits)) person.set(k, v);
  const email = person.get('email') as string | undefined;
  const fields = new Map(person);
  if (method === 'group') for (const [k, v] of fieldsFromTraits(call.traits, 'group', index, traits)) fields.set(k, v);

  const id = eventId(call.messageId, ctx);
  let event: IntakeEvent | undefined;
  if (method === 'track' || method === 'page' || method === 'screen') {
    let type: string | null = 'page_visited';
    if (method === 'track') {
      const named = eventTypeFor(call.event!, events);
      if ('error' in named) return refuse(named.error);
      type = named.type;
    }
    if (type !== null) {
      const props = method === 'track' ? trackProps(type, call.properties ?? {}) : pageProps(call.properties ?? {}, page, call.name, call.category);
      event = { id, type, at, props };
    }
  }

  const who: IntakeWho = {
    ...(call.userId !== undefined && call.userId !== null && { userId: call.userId }),
    ...(email !== undefined && { email }),
    ...(call.anonymousId !== undefined && call.anonymousId !== null && { anonymousId: call.anonymousId }),
  };
  return {
    ok: true,
    call: {
      id, method, where, who, at,
      ...(event && { event }),
      ...(fields.size > 0 && { fields: Object.fromEntries(fields) }),
      ...(method === 'alias' && { alias: { previousId: call.previousId!, userId: call.userId! } }),
      ...(method === 'group' && { groupId: call.groupId! }),
    },
  };
}

/** The call's time as Segment computes it (see the file's head). */
export function timeOf(call: Pick<ParsedCall, 'timestamp' | 'originalTimestamp' | 'sentAt'>, batchSentAt: number | null | undefined, now: number): number {
  if (call.timestamp != null) return call.timestamp;
  if (call.originalTimestamp != null) {
    const sentAt = call.sentAt ?? batchSentAt;
    // The client's clock read `sentAt` when ours read `now`: its skew moves the original time.
    return sentAt != null ? now - (sentAt - call.originalTimestamp) : call.originalTimestamp;
  }
  return now;
}

/** The messageId, hashed when longer than an event id may be (the same messageId, the same id). */
function eventId(messageId: string | null | undefined, ctx: IntakeContext): string {
  if (messageId == null) return ctx.makeId();
  if (messageId.length <= MAX_EVENT_ID) return messageId;
  return `sha256:${createHash('sha256').update(messageId).digest('hex')}`;
}
