/**
 * `POST /api/backtest`, `GET /api/backtest/:id`, `GET /api/backtest/:id/contacts?format=csv`
 * (SPEC §11 "Try a draft on real history"). See docs/backtest.md.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { IsoTime } from '../../engine/schema/event.js';
import { AppError, badRequest, invalid, notFound } from '../errors.js';
import type { AppDeps } from '../http/deps.js';
import { ApiRouter } from '../http/router.js';
import type { Bands } from '../reports/conversion.js';
import { readOutcomes, type Outcome } from '../reports/outcomes.js';
import type { Runtime } from '../runtime/runtime.js';
import { comparedField, readDraft, type Draft } from './draft.js';
import { Backtests, type BacktestPlan } from './job.js';
import { countAt, knownIds, sampleIds } from './read.js';

/** The longest period a backtest replays. */
const MAX_PERIOD_DAYS = 366;
const DAY = 86_400_000;

const BacktestBody = z.strictObject({
  model: z.union([
    z.strictObject({ id: z.string().min(1).max(200), version: z.number().int().positive().optional() }),
    z.looseObject({}),
  ]).optional().describe('A scoring model: inline (a draft), or { "id" } (the saved model) with an optional "version"'),
  map: z.union([
    z.strictObject({ id: z.string().min(1).max(200) }),
    z.looseObject({ elements: z.array(z.unknown()) }),
  ]).optional().describe('A map: inline, or { "id" } (its saved draft)'),
  replaces: z.string().min(1).max(200).optional().describe('The id of the saved map an inline map stands for (without it, an inline map runs beside the published ones)'),
  from: IsoTime.describe('The start of the period: contacts enter as they were then'),
  to: IsoTime.describe('The end of the period (at most now): the two scores are compared then'),
  contacts: z.array(z.string().min(1).max(200)).min(1).max(1_000_000).optional().describe('Only these contacts (made at or before `to`)'),
  sample: z.number().describe('A random sample of this many contacts').optional(),
  seed: z.number().int().optional().describe('The sample\'s seed (default 1): the same seed draws the same contacts'),
  field: z.string().min(1).max(200).optional().describe('The number field to compare (default: the model\'s field, or the first number field the map writes)'),
  window: z.string().max(20).optional().describe('How long after `to` an outcome counts, like "30d" (default)'),
  bands: z.array(z.number()).min(1).max(20).optional().describe('Cut points of the score bands, ascending (default: the model\'s brackets, else 20, 50, 80)'),
  outcomes: z.array(z.string()).max(50).optional().describe('Outcome ids that count (default: all of the setting)'),
});
type BacktestBody = z.infer<typeof BacktestBody>;

const Started = z.object({ id: z.string(), status: z.literal('running'), done: z.number(), total: z.number() });
const View = z.object({
  id: z.string(), status: z.enum(['running', 'done', 'failed']), done: z.number(), total: z.number(),
  error: z.string().optional(), result: z.record(z.string(), z.unknown()).optional(),
});

/** "30d", "12h", "2w", "90m" in milliseconds, or null. */
export function parseWindow(text: string): number | null {
  const m = /^(\d{1,5})(m|h|d|w)$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = { m: 60_000, h: 3_600_000, d: DAY, w: 7 * DAY }[m[2] as 'm' | 'h' | 'd' | 'w'];
  return n > 0 ? n * unit : null;
}

/** Checks the request and settles what runs; refuses in words (nothing starts). */
async function plan(rt: Runtime, body: BacktestBody): Promise<BacktestPlan> {
  const from = Date.parse(body.from);
  const to = Date.parse(body.to);
  const now = rt.clock.now();
  if (!(from < to)) throw invalid(`"from" (${body.from}) must be before "to" (${body.to})`);
  if (to > now) throw invalid(`"to" (${body.to}) is after now (${new Date(now).toISOString()}): history ends now, so end the period at now or before`);
  if (to - from > MAX_PERIOD_DAYS * DAY) throw invalid(`The period is ${Math.round((to - from) / DAY)} days long: a backtest replays at most ${MAX_PERIOD_DAYS} days (make "from" later)`);
  if (body.contacts && body.sample !== undefined) throw badRequest('Give "contacts" (these ids) or "sample" (that many at random), not both');
  if (body.sample !== undefined && !(Number.isInteger(body.sample) && body.sample > 0)) {
    throw invalid(`"sample" is how many contacts to draw at random: a whole number of 1 or more (got ${body.sample})`);
  }
  const windowMs = parseWindow(body.window ?? '30d');
  if (windowMs === null) throw invalid(`"window" is a duration like "30d", "12h" or "2w" (got "${body.window}")`);
  if (body.bands && body.bands.some((b, i) => i > 0 && b <= body.bands![i - 1])) throw invalid(`"bands" are cut points in ascending order, like [20, 50, 80] (got [${body.bands.join(', ')}])`);

  const draft = await readDraft(rt, body);
  const field = await comparedField(rt, draft, body.field);
  const outcomes = await chosenOutcomes(rt, body.outcomes);
  const bands = await chosenBands(rt, draft, field, body.bands);

  const db = rt.store.db;
  let contacts: string[] | undefined;
  if (body.contacts) {
    const ids = [...new Set(body.contacts)];
    const { existed, unknown } = await knownIds(db, ids, to);
    if (unknown.length) throw notFound(`${unknown.length === 1 ? 'No contact has' : `${unknown.length} ids name no contact, such as`} the id "${unknown[0]}": leave ${unknown.length === 1 ? 'it' : 'them'} out`);
    const later = ids.filter((id) => !existed.has(id));
    if (later.length) {
      throw invalid(`The contact "${later[0]}"${later.length > 1 ? ` and ${later.length - 1} more` : ''} was made after "to" (${body.to}): the period holds nothing of ${later.length > 1 ? 'them' : 'it'}. Choose a later "to", or leave ${later.length > 1 ? 'them' : 'it'} out`);
    }
    contacts = ids.sort();
  } else if (body.sample !== undefined) {
    contacts = await sampleIds(db, body.sample, body.seed ?? 1, to);
  }
  const total = contacts?.length ?? (await countAt(db, to));
  return { draft, field, from, to, windowMs, outcomes, bands, contacts, total };
}

/** The outcomes asked for (all of the setting by default); an unknown id is refused. */
async function chosenOutcomes(rt: Runtime, ids: readonly string[] | undefined): Promise<Outcome[]> {
  const { outcomes } = await readOutcomes(rt.store.db);
  if (!ids) return outcomes;
  return ids.map((id) => {
    const o = outcomes.find((x) => x.id === id);
    if (!o) throw invalid(`There is no outcome "${id}"${outcomes.length ? `: the outcomes are ${outcomes.map((x) => `"${x.id}"`).join(', ')}` : ': name outcomes first (PUT /api/settings/outcomes)'}`);
    return o;
  });
}

/** Cut points given, else the brackets of the model that writes the field, else 20, 50, 80. */
async function chosenBands(rt: Runtime, draft: Draft, field: string, edges: readonly number[] | undefined): Promise<Bands> {
  if (edges) return { kind: 'ranges', edges };
  if (draft.kind === 'model' && draft.model.field === field) {
    if (draft.model.brackets?.length) return { kind: 'brackets', model: draft.id };
  } else {
    const writer = (await rt.store.listModels()).find((r) => (r.doc as { field?: string }).field === field);
    if ((writer?.doc as { brackets?: unknown[] } | undefined)?.brackets?.length) return { kind: 'brackets', model: writer!.id };
  }
  return { kind: 'ranges', edges: [20, 50, 80] };
}

const param = (c: Context, name: string): string => c.req.param(name) ?? '';

/** The backtest routes; the jobs live as long as the app. */
export function backtestRouter(deps: AppDeps): ApiRouter {
  const jobs = new Backtests(deps.rt);
  const gone = (id: string) => notFound(`No backtest with id "${id}": results are kept for an hour after a backtest ends, and not across a restart of the server`);
  return new ApiRouter('/api/backtest', 'Backtest')
    .op({
      method: 'post', path: '/', scope: 'read', status: 202, body: BacktestBody, response: Started,
      summary: 'Try a draft model or map on real history: replay the stored events of real contacts through it, beside the live scores',
      description: 'Runs in the background on a private copy (nothing real changes, no webhook is sent); poll GET /api/backtest/:id. '
        + 'At most two run at once (429 otherwise). A draft that could not be saved or published is refused with 422, as saving or publishing it would be.',
    }, async (c, { body }) => {
      const started = jobs.start(await plan(deps.rt, body));
      return c.json(started, 202);
    })
    .op({ method: 'get', path: '/:id', summary: 'A backtest: how far it got, and its result once done', response: View }, async (c) => {
      const view = jobs.get(param(c, 'id'));
      if (!view) throw gone(param(c, 'id'));
      return c.json(view);
    })
    .op({
      method: 'get', path: '/:id/contacts', summary: 'Every contact of a finished backtest with its live and draft score, as CSV',
      query: z.object({ format: z.enum(['csv']).default('csv') }),
    }, async (c) => {
      const id = param(c, 'id');
      const view = jobs.get(id);
      if (!view) throw gone(id);
      if (view.status === 'failed') throw new AppError(409, `The backtest failed, so it has no contacts to show: ${view.error}`);
      const csv = await jobs.csv(id);
      if (csv === null) throw new AppError(409, `The backtest is still running (${view.done} of ${view.total} contacts): ask again once its status is "done"`);
      return c.body(csv, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="backtest-${id}.csv"`,
      });
    });
}
