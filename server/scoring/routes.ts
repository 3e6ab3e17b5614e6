import { z } from 'zod';
import { KNOWN_EVENTS } from '../../engine/schema/event.js';
import { bracketOf } from '../../engine/scoring/model.js';
import { bracketField } from '../../engine/scoring/run.js';
import type { AppDeps } from '../http/deps.js';
import { ApiRouter } from '../http/router.js';
import { badRequest, notFound } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { DEFAULT_NOT_ACTIVITY, NOT_ACTIVITY_KEY, readNotActivity } from './activity.js';
import { recordAudit } from '../audit/log.js';
import { activityEntry } from '../audit/setting-changes.js';
import { actorOf } from '../people/actor.js';
import { grantGroups, type GrantGroup } from './ledger-store.js';

const LineKind = z.enum(['rule', 'map', 'manual', 'import', 'merge', 'opening', 'decay', 'other']);
type LineKind = z.infer<typeof LineKind>;

const Line = z.object({
  kind: LineKind,
  ruleId: z.string().optional(),
  label: z.string(),
  count: z.number().meta({ description: 'How many grants the line sums' }),
  given: z.number().meta({ description: 'The points they gave' }),
  now: z.number().meta({ description: 'What is left of them (after decay)' }),
  decays: z.boolean(),
  nextExpiry: z.string().nullable().meta({ description: 'When the first of them expires (ISO-8601), if any do' }),
});

const ModelBreakdown = z.object({
  modelId: z.string(), name: z.string(), field: z.string(), score: z.number().nullable(), bracket: z.string().nullable(),
  bracketField: z.string().nullable(),
  text: z.string().meta({ description: '"82 = 40 Visited pricing (×8) + 25 Subscribed + 10 CEO + 12 map \'Adjusted\' − 5 decay"' }),
  lines: z.array(Line),
});

const Breakdown = z.object({ contactId: z.string(), models: z.array(ModelBreakdown) });
const Activity = z.strictObject({
  notActivity: z.array(z.string().trim().min(1).max(100)).max(200)
    .meta({ description: 'Event types that do not count as activity: they never move Last activity, so never postpone an inactivity reset or degradation' }),
});

/** A number as the breakdown says it: at most two decimals. */
const say = (n: number) => String(Math.round(Math.abs(n) * 100) / 100);

/** What a grant from outside the model was, in a line's words. */
function sourceLine(rt: Runtime, source: string | null): { kind: LineKind; label: string } {
  const cause = source ? (JSON.parse(source) as Record<string, unknown>) : {};
  if ('opening' in cause) return { kind: 'opening', label: 'points from before the ledger' };
  if ('created' in cause) return { kind: 'manual', label: 'given when the contact was created' };
  const mapId = (cause.map as string | undefined) ?? (cause.publish as { map?: string } | undefined)?.map;
  if (mapId) {
    const map = rt.world.maps.find((m) => m.id === mapId);
    return { kind: 'map', label: `map '${map?.doc.name ?? mapId}'` };
  }
  if ('api' in cause) {
    // A person's (or a key's) adjustment says who made it: "12 adjusted by Ana Lopez" (SPEC §12).
    const by = (cause.by as { name?: unknown } | undefined)?.name;
    return { kind: 'manual', label: typeof by === 'string' && by ? `adjusted by ${by}` : 'changed by hand' };
  }
  if ('import' in cause) return { kind: 'import', label: 'import' };
  if ('merge' in cause) return { kind: 'merge', label: 'merged contact' };
  return { kind: 'other', label: 'other changes' };
}

/**
 * A contact's scores explained from the ledger (SPEC §9): per model, one line per rule (or outside
 * source) with what its live grants gave and what is left of them, the decay, and what bounds and
 * rounding left over — and the sentence "82 = 40 … − 5 decay".
 */
export async function breakdown(rt: Runtime, contactId: string): Promise<z.infer<typeof Breakdown>> {
  const state = (await rt.store.loadContacts([contactId], { rules: false })).get(contactId);
  if (!state) throw notFound(`No contact with id "${contactId}"`);
  const models = [];
  for (const m of (rt.world.models ?? []).map((x) => x.model)) {
    const raw = state.fields[m.field];
    const score = typeof raw === 'number' ? raw : null;
    const groups: GrantGroup[] = await grantGroups(rt.store.db, m.id, contactId);
    // Outside grants group by their exact cause; lines say them by kind and map, so they merge here.
    const lines = new Map<string, z.infer<typeof Line>>();
    for (const g of groups) {
      const rule = g.ruleId === null ? undefined : m.rules.find((r) => r.id === g.ruleId);
      const what = g.ruleId !== null ? { kind: 'rule' as const, label: rule?.label ?? `rule "${g.ruleId}" (no longer in the model)` } : sourceLine(rt, g.source);
      const key = `${what.kind}\u0000${g.ruleId ?? what.label}\u0000${g.decays}`;
      const line = lines.get(key);
      const expiry = g.nextExpiry === null ? null : new Date(g.nextExpiry).toISOString();
      if (line) {
        line.count += g.count;
        line.given += g.given;
        line.now += g.now;
        if (expiry && (!line.nextExpiry || expiry < line.nextExpiry)) line.nextExpiry = expiry;
      } else {
        lines.set(key, { ...what, ...(g.ruleId !== null ? { ruleId: g.ruleId } : {}), count: g.count, given: g.given, now: g.now, decays: g.decays, nextExpiry: expiry });
      }
    }
    const list = [...lines.values()].filter((l) => Math.abs(l.given) >= 0.0005 || l.count > 0);
    const given = list.reduce((sum, l) => sum + l.given, 0);
    const held = list.reduce((sum, l) => sum + l.now, 0);
    const decay = held - given;
    const other = (score ?? 0) - held;
    if (Math.abs(decay) >= 0.005) list.push({ kind: 'decay', label: 'decay', count: 0, given: 0, now: decay, decays: true, nextExpiry: null });
    if (Math.abs(other) >= 0.005) list.push({ kind: 'other', label: 'bounds and rounding', count: 0, given: 0, now: other, decays: true, nextExpiry: null });
    const terms = list.filter((l) => Math.abs(l.kind === 'decay' || l.kind === 'other' ? l.now : l.given) >= 0.005).map((l) => {
      const v = l.kind === 'decay' || l.kind === 'other' ? l.now : l.given;
      return { v, words: `${say(v)} ${l.label}${l.count > 1 ? ` (×${l.count})` : ''}` };
    });
    const text = `${say(score ?? 0)} = ${terms.length
      ? terms.map((t, i) => (i === 0 ? `${t.v < 0 ? '−' : ''}${t.words}` : `${t.v < 0 ? '−' : '+'} ${t.words}`)).join(' ')
      : 'no points yet'}`;
    const bf = m.brackets?.length && rt.world.fields.get(bracketField(m.field)) ? bracketField(m.field) : null;
    // Sums of decayed points carry float noise (−3.2000000000000003): three decimals, as scores keep.
    const round = (n: number) => Math.round(n * 1000) / 1000;
    const shown = list.map((l) => ({ ...l, given: round(l.given), now: round(l.now) }));
    models.push({ modelId: m.id, name: m.name, field: m.field, score, bracket: bracketOf(score, m.brackets), bracketField: bf, text, lines: shown });
  }
  return { contactId, models };
}

/**
 * `/api/contacts/:id/scores` (where each score comes from) and `/api/settings/activity` (which
 * event types are not meaningful activity): SPEC §9.
 */
export function scoringLedgerRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  return new ApiRouter('/api', 'Scoring models')
    .op({
      method: 'get', path: '/contacts/:id/scores', summary: 'Where a contact\'s scores come from, per scoring model', response: Breakdown,
      description: 'From the points ledger: one line per rule (or map, person, import, merge) with the points its live grants gave and what is left of them, the decay, and what bounds and rounding left; `text` says it in one sentence.',
    }, async (c) => c.json(await breakdown(rt, c.req.param('id') ?? '')))
    .op({
      method: 'get', path: '/settings/activity', summary: 'The event types that do not count as activity', response: Activity,
    }, async (c) => c.json({ notActivity: [...(rt.world.notActivity ?? new Set(DEFAULT_NOT_ACTIVITY))].sort() }))
    .op({
      method: 'put', path: '/settings/activity', role: 'admin', summary: 'Set the event types that do not count as activity', body: Activity, response: Activity,
      description: 'Applies to events from now on: Last activity is not moved by these types. Unknown event types are refused (400) unless they are custom types your events use (letters, digits and "_" or ".").',
    }, async (c, { body }) => {
      const list = [...new Set(body.notActivity)].sort();
      const odd = list.find((t) => !(t in KNOWN_EVENTS) && !/^[a-z][a-z0-9_.]*$/.test(t));
      if (odd) throw badRequest(`"${odd}" is not an event type: event types are lower-case letters, digits, "_" and "." (like "email_bounced")`);
      await rt.changeWorld(() => rt.store.transaction(async (s) => {
        const before = [...(await readNotActivity(s))].sort();
        await s.setMeta(NOT_ACTIVITY_KEY, JSON.stringify(list));
        const entry = activityEntry(before, list);
        if (entry) await recordAudit(s.db, actorOf(c), entry, rt.clock.now());
      }));
      return c.json({ notActivity: list });
    });
}
