import { z } from 'zod';
import type { AppDeps } from '../http/deps.js';
import { ApiRouter } from '../http/router.js';
import { badRequest, invalid } from '../errors.js';
import { challengerCsvRows, challengerReport, CHALLENGER_CSV_HEADER } from './challenger.js';
import { csvAnswer } from './csv-out.js';
import { modelById, parseEdges, parseMoment, parseWindow } from './params.js';
import { chosenOutcomes } from './routes.js';

const Text = z.string().max(2000).optional();

const BandRow = z.object({
  band: z.string(), min: z.number().nullable(), max: z.number().nullable(), contacts: z.number(), converted: z.number(), rate: z.number(), lift: z.number().nullable(),
});
const Side = z.object({
  model: z.string(), field: z.string(),
  conversion: z.object({
    field: z.string(), at: z.string(), window: z.string(), outcomes: z.array(z.string()),
    total: z.object({ contacts: z.number(), converted: z.number(), rate: z.number() }), bands: z.array(BandRow),
  }),
  auc: z.number().nullable().meta({ description: 'The probability that a random contact who converted scored above a random one who did not (ties count half; 0.5 is a coin toss); null when no one or everyone converted' }),
});
const Report = z.object({ at: z.string(), window: z.string(), champion: Side, challenger: Side });


/** `GET /api/reports/challenger`: a champion and a challenger model side by side on outcomes (SPEC §11), JSON or CSV. */
export function challengerRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  return new ApiRouter('/api/reports', 'Reports').op({
    method: 'get', path: '/challenger', summary: 'Champion and challenger side by side: which model\'s scores tell converters better?', response: Report,
    query: z.object({
      champion: Text, challenger: Text, at: Text, window: Text, bands: Text, outcomes: Text,
      format: z.enum(['json', 'csv']).optional().meta({ description: '`csv` answers a CSV file: each model\'s bands, then its total with its AUC' }),
    }),
    description: 'For the contacts that existed at `at` (default: now − window): each model\'s conversion by band (its score at `at`, read from history; outcomes reached in (at, at + window]) and its AUC. '
      + '`champion` and `challenger` are scoring model ids (any two models; the challenger usually runs with `shadow: true`). `bands=20,50,80` cuts both at those points; by default each model uses its brackets, or 25,50,75. '
      + '`window` like 30d (default); `outcomes`: ids, comma-separated (default: all).',
  }, async (c, { query }) => {
    if (!query.champion?.trim() || !query.challenger?.trim()) throw badRequest('Name both models: ?champion=<model id>&challenger=<model id>');
    const champion = modelById(rt, query.champion.trim());
    const challenger = modelById(rt, query.challenger.trim());
    if (champion.id === challenger.id) throw invalid(`The champion and the challenger are both "${champion.id}": name two different models`);
    const now = rt.clock.now();
    const windowMs = parseWindow(query.window, '30d');
    const at = parseMoment(query.at, 'at', now - windowMs, now);
    const edges = query.bands?.trim() ? parseEdges(query.bands) : undefined;
    const r = await challengerReport(rt.store.db, { champion, challenger, at, windowMs, outcomes: await chosenOutcomes(rt, query.outcomes), ...(edges ? { edges } : {}) });
    if (query.format === 'csv') {
      const name = `challenger-${champion.id}-vs-${challenger.id}-${r.at.slice(0, 10)}-${r.window}.csv`;
      return csvAnswer(c, name, CHALLENGER_CSV_HEADER, challengerCsvRows(r));
    }
    return c.json(r);
  });
}
