import { z } from 'zod';
import { bracketField } from '../../engine/scoring/run.js';
import type { AppDeps } from '../http/deps.js';
import { ApiRouter } from '../http/router.js';
import { conflict, invalid } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { conversionByBand, type Bands, type ConversionReport } from './conversion.js';
import { csvAnswer } from './csv-out.js';
import { checkOutcomes, fieldTypes, OutcomesSetting, readOutcomes, saveOutcomes, type Outcome } from './outcomes.js';
import { recordAudit } from '../audit/log.js';
import { outcomesEntry } from '../audit/setting-changes.js';
import { actorOf } from '../people/actor.js';
import { modelById, numberField, parseEdges, parseMoment, parsePeriod, parseWindow } from './params.js';
import { bracketFlow, causeSums, trends } from './queries.js';
import { feedbackByBand, VERDICTS, type FeedbackReport } from './feedback.js';

const DAY = 86_400_000;
const Format = z.enum(['json', 'csv']).optional().meta({ description: '`csv` answers a CSV file (a header row, then one row per band, move or action) to download' });
const Text = z.string().max(2000).optional();

const BandRow = z.object({
  band: z.string(), min: z.number().nullable(), max: z.number().nullable(), contacts: z.number(), converted: z.number(),
  rate: z.number().meta({ description: 'converted / contacts, from 0 to 1' }),
  lift: z.number().nullable().meta({ description: 'The band\'s rate / the total rate; null when the total rate is 0 or the band is empty' }),
});
const Conversion = z.object({
  field: z.string(), at: z.string(), window: z.string(), outcomes: z.array(z.string()),
  total: z.object({ contacts: z.number(), converted: z.number(), rate: z.number() }), bands: z.array(BandRow),
});
const Flow = z.object({
  model: z.string(), from: z.string(), to: z.string(), brackets: z.array(z.string()),
  moves: z.array(z.object({ from: z.string().nullable(), to: z.string(), contacts: z.number(), medianDays: z.number().nullable() })),
});
const TrendsAnswer = z.object({ field: z.string(), days: z.number(), rose: z.number(), fell: z.number(), same: z.number(), contacts: z.number() });
const ActionRow = z.object({
  kind: z.enum(['rule', 'element', 'decay', 'other']), model: z.string().optional(), rule: z.string().optional(), map: z.string().optional(),
  element: z.string().optional(), label: z.string(), points: z.number(), count: z.number(),
});
const Actions = z.object({ from: z.string(), to: z.string(), rows: z.array(ActionRow) });
const Feedback = z.object({
  model: z.string().nullable().meta({ description: 'The scoring model whose score and brackets place each verdict; null: the field `score` cut at 25, 50, 75' }),
  field: z.string(), from: z.string(), to: z.string(),
  total: z.object({ verdicts: z.number(), accepted: z.number(), rejected: z.number(), rate: z.number().nullable() }),
  bands: z.array(z.object({
    band: z.string(), min: z.number().nullable(), max: z.number().nullable(), verdicts: z.number(), accepted: z.number(), rejected: z.number(),
    rate: z.number().nullable().meta({ description: 'accepted / verdicts, from 0 to 1; null when the band had no verdict' }),
  })),
  reasons: z.array(z.object({ status: z.enum(VERDICTS), reason: z.string().nullable(), count: z.number() })),
});

const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);

/** The outcomes a report counts: the ids asked for (comma-separated), else every outcome set. */
export async function chosenOutcomes(rt: Runtime, ids: string | undefined): Promise<Outcome[]> {
  const { outcomes } = await readOutcomes(rt.store.db);
  if (!outcomes.length) throw invalid('No outcomes are set yet: say what counts as a conversion first (PUT /api/settings/outcomes, or Reports → Outcomes in the editor)');
  if (ids === undefined || ids.trim() === '') return outcomes;
  const wanted = ids.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.find((id) => !outcomes.some((o) => o.id === id));
  if (unknown) throw invalid(`There is no outcome "${unknown}"; the outcomes are ${outcomes.map((o) => `"${o.id}"`).join(', ')}`);
  return outcomes.filter((o) => wanted.includes(o.id));
}

/** The conversion report of a query string (shared with the challenger report). */
export async function conversionFromQuery(rt: Runtime, q: { field?: string; model?: string; at?: string; window?: string; bands?: string; outcomes?: string }): Promise<ConversionReport> {
  const now = rt.clock.now();
  const model = q.model !== undefined ? modelById(rt, q.model) : undefined;
  const field = numberField(rt, q.field ?? model?.field);
  if (model && model.field !== field) throw invalid(`The model "${model.id}" scores "${model.field}", not "${field}": leave "field" out or name its field`);
  const windowMs = parseWindow(q.window, '30d');
  const at = parseMoment(q.at, 'at', now - windowMs, now);
  let bands: Bands;
  if (q.bands !== undefined && q.bands.trim() !== '') bands = { kind: 'ranges', edges: parseEdges(q.bands) };
  else if (model) {
    if (!model.brackets?.length) throw invalid(`The model "${model.id}" has no brackets: give cut points instead, like bands=20,50,80`);
    bands = { kind: 'brackets', model: model.id };
  } else {
    // The field's model's brackets when it has some, else quarters of 0–100.
    const owner = (rt.world.models ?? []).find((m) => m.model.field === field)?.model;
    bands = owner?.brackets?.length ? { kind: 'brackets', model: owner.id } : { kind: 'ranges', edges: [25, 50, 75] };
  }
  return conversionByBand(rt.store.db, { field, at, windowMs, outcomes: await chosenOutcomes(rt, q.outcomes), bands });
}

/** The CSV of a conversion report: one row per band (the total last). */
export function conversionCsvRows(r: ConversionReport): (string | number | null)[][] {
  return [
    ...r.bands.map((b) => [b.band, b.min, b.max, b.contacts, b.converted, b.rate, b.lift]),
    ['total', null, null, r.total.contacts, r.total.converted, r.total.rate, r.total.rate > 0 ? 1 : null],
  ];
}
export const CONVERSION_CSV_HEADER = ['band', 'min', 'max', 'contacts', 'converted', 'rate', 'lift'] as const;

/** `GET|PUT /api/settings/outcomes`: what counts as a conversion (SPEC §11). */
export function outcomesRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  return new ApiRouter('/api/settings', 'Reports')
    .op({ method: 'get', path: '/outcomes', summary: 'What counts as a conversion', response: OutcomesSetting }, async (c) => c.json(await readOutcomes(rt.store.db)))
    .op({
      method: 'put', path: '/outcomes', role: 'admin', summary: 'Set what counts as a conversion', body: OutcomesSetting, response: OutcomesSetting,
      description: 'Each outcome is an event type (`{ "id": "purchase", "label": "Bought", "event": "purchase" }`) or a field test (`{ "id": "customer", "label": "Customer", "field": { "field": "lifecycle_stage", "op": "eq", "value": "customer" } }`). '
        + 'Send the `rev` you read: a stale one gets 409 (someone saved in between). An unknown field or a duplicate id gets 422. Answers the setting with its new `rev`.',
    }, async (c, { body }) => {
      checkOutcomes(body.outcomes, await fieldTypes(rt.store.db));
      const saved = await rt.store.transaction(async (s) => {
        const before = await readOutcomes(s.db);
        const next = await saveOutcomes(s.db, body.outcomes, body.rev);
        const entry = next && outcomesEntry(before.outcomes, next.outcomes);
        if (entry) await recordAudit(s.db, actorOf(c), entry, rt.clock.now());
        return next;
      });
      if (!saved) {
        const now = await readOutcomes(rt.store.db);
        throw conflict(`The outcomes were changed since you read them (revision ${now.rev}, you sent ${body.rev}): reload them and make your change again`, { rev: now.rev });
      }
      return c.json(saved);
    });
}

/** `/api/reports/…`: conversion by band, bracket flow, score trends, top scoring actions, sales feedback (SPEC §11), each also as CSV. */
export function reportsRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  return new ApiRouter('/api/reports', 'Reports')
    .op({
      method: 'get', path: '/conversion', summary: 'Conversion by score band: do higher scores convert better?', response: Conversion,
      query: z.object({ field: Text, model: Text, at: Text, window: Text, bands: Text, outcomes: Text, format: Format }),
      description: 'The contacts that existed at `at` (default: now − window), by the band their `field` value was in at that moment (read from history), and how many reached an outcome in (at, at + window]. '
        + '`bands=20,50,80` cuts at those points; `model=<id>` uses the model\'s brackets (and its field); by default the field\'s model\'s brackets, else 25,50,75. `window` like 30d (default), 12h, 2w. `outcomes`: ids, comma-separated (default: all).',
    }, async (c, { query }) => {
      const r = await conversionFromQuery(rt, query);
      if (query.format === 'csv') return csvAnswer(c, `conversion-${r.field}-${day(Date.parse(r.at))}-${r.window}.csv`, CONVERSION_CSV_HEADER, conversionCsvRows(r));
      return c.json(r);
    })
    .op({
      method: 'get', path: '/bracket-flow', summary: 'How many contacts moved between a model\'s brackets in a period, and how long they took', response: Flow,
      query: z.object({ model: Text, from: Text, to: Text, format: Format }),
      description: 'From the history of the model\'s `<field>_bracket` in [from, to) (default: the last 30 days). `from: null` is a contact\'s first bracket. `medianDays`: the median time since the contact entered the bracket it left.',
    }, async (c, { query }) => {
      const model = modelById(rt, query.model);
      if (!model.brackets?.length) throw invalid(`The model "${model.id}" has no brackets: add some in its editor to see contacts move between them`);
      const { from, to } = parsePeriod(query, rt.clock.now());
      const order = [...model.brackets].sort((a, b) => b.min - a.min).map((b) => b.name);
      const rank = (name: string | null) => (name === null ? -1 : order.indexOf(name) === -1 ? order.length : order.indexOf(name));
      const moves = (await bracketFlow(rt.store.db, bracketField(model.field), from, to))
        .sort((a, b) => rank(a.from) - rank(b.from) || rank(a.to) - rank(b.to));
      const answer = { model: model.id, from: iso(from), to: iso(to), brackets: order, moves };
      if (query.format === 'csv') {
        return csvAnswer(c, `bracket-flow-${model.id}-${day(from)}-${day(to)}.csv`, ['from', 'to', 'contacts', 'median_days'], moves.map((m) => [m.from, m.to, m.contacts, m.medianDays]));
      }
      return c.json(answer);
    })
    .op({
      method: 'get', path: '/trends', summary: 'How many contacts\' scores rose, fell or stayed over the last N days', response: TrendsAnswer,
      query: z.object({ field: Text, days: Text, format: Format }),
      description: 'Each contact\'s value now against its value N days ago (read from history); contacts without a value then or now are not counted. `days` defaults to 30.',
    }, async (c, { query }) => {
      const field = numberField(rt, query.field);
      const days = query.days === undefined || query.days.trim() === '' ? 30 : Number(query.days);
      if (!Number.isInteger(days) || days < 1 || days > 3650) throw invalid(`"days" is a whole number of days from 1 to 3650 (got "${query.days}")`);
      const t = await trends(rt.store.db, field, rt.clock.now() - days * DAY);
      const answer = { field, days, ...t };
      if (query.format === 'csv') return csvAnswer(c, `trends-${field}-${days}d.csv`, ['field', 'days', 'rose', 'fell', 'same', 'contacts'], [[field, days, t.rose, t.fell, t.same, t.contacts]]);
      return c.json(answer);
    })
    .op({
      method: 'get', path: '/top-actions', summary: 'Points given per scoring rule and per map element in a period, with counts', response: Actions,
      query: z.object({ from: Text, to: Text, field: Text, format: Format }),
      description: 'From the history of the scoring models\' fields (or `field`) in [from, to) (default: the last 30 days): the points (to − from of each change) and the number of changes per rule, per map element, per model\'s decay, and the rest (changes by hand, imports, merges) as "other". Largest first.',
    }, async (c, { query }) => {
      const { from, to } = parsePeriod(query, rt.clock.now());
      const models = (rt.world.models ?? []).map((m) => m.model);
      const fields = query.field !== undefined ? [numberField(rt, query.field)] : models.length ? [...new Set(models.map((m) => m.field))] : ['score'];
      const rows = topActionRows(rt, await causeSums(rt.store.db, fields, from, to));
      if (query.format === 'csv') {
        return csvAnswer(c, `top-actions-${day(from)}-${day(to)}.csv`, ['kind', 'model', 'rule', 'map', 'element', 'label', 'points', 'count'],
          rows.map((r) => [r.kind, r.model, r.rule, r.map, r.element, r.label, r.points, r.count]));
      }
      return c.json({ from: iso(from), to: iso(to), rows });
    })
    .op({
      method: 'get', path: '/qualification', summary: 'Sales feedback: accepted and rejected leads by score band and by reason', response: Feedback,
      query: z.object({ modelId: Text, bands: Text, from: Text, to: Text, format: Format }),
      description: 'Every verdict given in [from, to) (default: the last 30 days) — `qualification_status` set to accepted or rejected; a lead judged twice counts twice — '
        + 'in the band of the lead\'s score just before the verdict (read from history), with the counts and the acceptance rate per band, and how often each reason was given. '
        + 'Bands: the model\'s brackets (`modelId`; default: the model on `score`, else the only one), or cut points `bands=20,50,80`.',
    }, async (c, { query }) => {
      const { from, to } = parsePeriod(query, rt.clock.now());
      const model = feedbackModel(rt, query.modelId);
      const field = model?.field ?? numberField(rt, 'score');
      const bands: Bands = query.bands !== undefined && query.bands.trim() !== '' ? { kind: 'ranges', edges: parseEdges(query.bands) }
        : model?.brackets?.length ? { kind: 'brackets', model: model.id } : { kind: 'ranges', edges: [25, 50, 75] };
      const r = await feedbackByBand(rt.store.db, { field, from, to, bands });
      if (query.format === 'csv') {
        return csvAnswer(c, `sales-feedback-${model?.id ?? field}-${day(from)}-${day(to)}.csv`,
          ['row', 'band', 'min', 'max', 'status', 'reason', 'verdicts', 'accepted', 'rejected', 'rate'], feedbackCsvRows(r));
      }
      return c.json({ model: model?.id ?? null, ...r });
    });
}

type ActionRow = z.infer<typeof ActionRow>;

/**
 * The scoring model of the sales feedback report: the one asked for; else the model that writes
 * `score`, else the only one; none at all: the field `score` cut at 25, 50, 75.
 */
function feedbackModel(rt: Runtime, id: string | undefined) {
  const models = (rt.world.models ?? []).map((m) => m.model);
  if (id !== undefined && id.trim() !== '') {
    const m = models.find((x) => x.id === id.trim());
    if (!m) throw invalid(`There is no scoring model "${id}"${models.length ? `; the models are ${models.map((x) => `"${x.id}"`).join(', ')}` : ''}`);
    return m;
  }
  const m = models.find((x) => x.field === 'score') ?? (models.length === 1 ? models[0] : undefined);
  if (!m && models.length > 1) throw invalid(`Say which scoring model places the leads in bands (?modelId=…): the models are ${models.map((x) => `"${x.id}"`).join(', ')}`);
  return m ?? null;
}

/** The CSV of the sales feedback report: the bands, the total, then one row per verdict and reason. */
function feedbackCsvRows(r: FeedbackReport): (string | number | null)[][] {
  return [
    ...r.bands.map((b) => ['band', b.band, b.min, b.max, null, null, b.verdicts, b.accepted, b.rejected, b.rate]),
    ['total', null, null, null, null, null, r.total.verdicts, r.total.accepted, r.total.rejected, r.total.rate],
    ...r.reasons.map((x) => ['reason', null, null, null, x.status, x.reason, x.count, x.status === 'accepted' ? x.count : 0, x.status === 'rejected' ? x.count : 0, null]),
  ];
}

/** The summed causes as rows a person reads: rules and decays named by their model, elements by their map; "other" in one row per field. */
function topActionRows(rt: Runtime, sums: Awaited<ReturnType<typeof causeSums>>): ActionRow[] {
  const models = (rt.world.models ?? []).map((m) => m.model);
  const byField = (field: string) => models.find((m) => m.field === field)?.id;
  const rows = new Map<string, ActionRow>();
  const add = (key: string, row: ActionRow) => {
    const had = rows.get(key);
    if (had) {
      had.points = Math.round((had.points + row.points) * 1000) / 1000;
      had.count += row.count;
    } else rows.set(key, row);
  };
  for (const s of sums) {
    if (s.model !== null && s.rule !== null) {
      const m = models.find((x) => x.id === s.model);
      const rule = m?.rules.find((r) => r.id === s.rule);
      add(`rule\u0000${s.model}\u0000${s.rule}`, { kind: 'rule', model: s.model, rule: s.rule, label: rule?.label ?? `rule "${s.rule}" (no longer in the model)`, points: s.points, count: s.count });
    } else if (s.map !== null && s.element !== null) {
      const map = rt.world.maps.find((x) => x.id === s.map);
      const el = map?.elements.get(s.element) as { label?: string } | undefined;
      const model = byField(s.field);
      add(`element\u0000${s.field}\u0000${s.map}\u0000${s.element}`, {
        kind: 'element', ...(model ? { model } : {}), map: s.map, element: s.element,
        label: `map '${map?.doc.name ?? s.map}': ${el?.label ?? s.element}`, points: s.points, count: s.count,
      });
    } else if (s.decay !== null) {
      const m = models.find((x) => x.id === s.decay);
      add(`decay\u0000${s.decay}`, { kind: 'decay', model: s.decay, label: `decay of '${m?.name ?? s.decay}'`, points: s.points, count: s.count });
    } else {
      const model = byField(s.field);
      add(`other\u0000${s.field}`, { kind: 'other', ...(model ? { model } : {}), label: `other changes of ${s.field} (by hand, imports, merges)`, points: s.points, count: s.count });
    }
  }
  return [...rows.values()].sort((a, b) => Math.abs(b.points) - Math.abs(a.points) || b.count - a.count || a.label.localeCompare(b.label));
}
