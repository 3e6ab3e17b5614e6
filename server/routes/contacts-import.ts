import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppDeps } from '../http/deps.js';
import { readJson, refuseBadText, type ApiRouter } from '../http/router.js';
import { AppError, badRequest, notFound } from '../errors.js';
import { CsvError, parseCsv } from '../csv.js';
import { importBatch, type ImportRow, type RowError } from '../runtime/import-batch.js';
import type { Runtime } from '../runtime/runtime.js';
import { ContactBody, ContactId, pathParam } from './contact-views.js';

/** Rows one import may hold; more must be split (the body limit applies too). */
export const MAX_IMPORT_ROWS = 100_000;
/** Rows per transaction: between two batches, events and other requests take their turn. */
export const IMPORT_BATCH = 1_000;
/** Row errors a job keeps (all are counted in `skipped`). */
const MAX_ERRORS = 1_000;
/** Finished jobs kept for reading; older ones are forgotten. */
const KEPT_JOBS = 100;
/** The longest cell and tag a CSV row may hold: what POST /api/contacts takes for a value and a tag. */
const MAX_VALUE_LENGTH = 10_000;
const MAX_TAG_LENGTH = 200;

/** A row to import, or a row refused before importing (wrong number of values, not a contact). */
type Item = ImportRow | RowError;

const RowErrorView = z.object({ row: z.number(), line: z.number().optional(), message: z.string() });
/** An import job as the API shows it. */
export const ImportJobView = z.object({
  jobId: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  format: z.enum(['csv', 'json']),
  total: z.number(), processed: z.number(), created: z.number(), updated: z.number(), skipped: z.number(),
  errors: z.array(RowErrorView).meta({ description: `The rows skipped and why (the first ${MAX_ERRORS}).` }),
  ignoredColumns: z.array(z.string()),
  startedAt: z.string(), finishedAt: z.string().nullable(),
  message: z.string().optional(),
});
type ImportJob = z.infer<typeof ImportJobView>;

const ImportQuery = z.strictObject({
  wait: z.stringbool().optional().meta({ description: 'true: answer when the import is done (200) instead of at once (202)' }),
});

/** An entry of a JSON import: a contact as `POST /api/contacts` takes it, fields optional (tags alone are fine). */
const ImportEntry = ContactBody.partial({ fields: true });

const label = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}…` : s);

/** Spreadsheets write TRUE/FALSE, people write yes/no or 1/0: all read as true/false; anything else is left to be refused. */
function csvBoolean(cell: string): string | boolean {
  const s = cell.trim().toLowerCase();
  return ['true', 'yes', 'y', '1'].includes(s) ? true : ['false', 'no', 'n', '0'].includes(s) ? false : cell;
}

/** Reads a CSV whose header names fields by key or label (and `id`); tags are split on `;` or `,`. */
export function csvItems(rt: Runtime, text: string): { items: Item[]; ignored: string[] } {
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvError) throw badRequest(`The CSV is broken: ${e.message}`, { line: e.line });
    throw e;
  }
  if (!records.length) throw badRequest('The CSV is empty: its first line names the columns (field keys or labels, and "id")');
  const ignored: string[] = [];
  const seen = new Map<string, string>();
  const columns = records[0].values.map((raw, i) => {
    const name = raw.trim();
    if (!name) throw badRequest(`Column ${i + 1} of the header has no name: name it after a field (key or label)`);
    if (name.toLowerCase() === 'id') return { name, key: 'id', type: null };
    const f = rt.world.fields.resolve(name);
    if (!f) throw badRequest(`Unknown column "${label(name)}": create the field first (POST /api/fields), or name a field by its key or label`);
    const other = seen.get(f.key);
    if (other !== undefined) throw badRequest(`The columns "${label(other)}" and "${label(name)}" are the same field (${f.key})`);
    seen.set(f.key, name);
    // Set by the system: a file exported with it can still be imported.
    if (f.key === 'created_at') ignored.push(name);
    return { name, key: f.key === 'created_at' ? null : f.key, type: f.type };
  });
  if (records.length - 1 > MAX_IMPORT_ROWS) throw badRequest(`The CSV has ${records.length - 1} rows; import at most ${MAX_IMPORT_ROWS.toLocaleString('en-US')} at a time`);
  const items = records.slice(1).map((rec, i): Item => {
    const row = i + 2; // as a spreadsheet numbers it: the header is row 1
    if (rec.values.length !== columns.length) {
      return { row, line: rec.line, message: `This row has ${rec.values.length} values; the header has ${columns.length} columns` };
    }
    // Cells obey the limits a JSON contact does (POST /api/contacts): a 1 MB cell is a row error, not a stored value.
    const long = columns.findIndex((col, k) => col.key !== null && col.key !== 'id' && rec.values[k].length > MAX_VALUE_LENGTH);
    if (long >= 0) return { row, line: rec.line, message: `The value of "${label(columns[long].name)}" has more than ${MAX_VALUE_LENGTH.toLocaleString('en-US')} characters` };
    const fields: Record<string, unknown> = {};
    let id: string | undefined;
    let tags: string[] | undefined;
    columns.forEach((col, k) => {
      const v = rec.values[k];
      if (col.key === 'id') id = v.trim() || undefined;
      else if (col.key === 'tags') tags = v.split(/[;,]/).map((t) => t.trim()).filter(Boolean);
      else if (col.key !== null) fields[col.key] = col.type === 'boolean' ? csvBoolean(v) : v;
    });
    const badId = id === undefined ? undefined : ContactId.safeParse(id).error?.issues[0]?.message;
    if (badId) return { row, line: rec.line, message: `The id is not valid: ${badId}` };
    const longTag = tags?.find((t) => t.length > MAX_TAG_LENGTH);
    if (longTag !== undefined) return { row, line: rec.line, message: `The tag "${label(longTag)}" has more than ${MAX_TAG_LENGTH} characters` };
    return { row, line: rec.line, fields, ...(id === undefined ? {} : { id }), ...(tags ? { tags } : {}) };
  });
  return { items, ignored };
}

/**
 * Reads `{ "contacts": [ { id?, fields, tags? }, … ] }`; a malformed entry is a row error, not a refusal.
 * An email given as a number or true/false is read as the text it is stored as (like POST /api/contacts),
 * so the row finds the contact that has it instead of creating a second one.
 */
export function jsonItems(rt: Runtime, body: unknown): Item[] {
  const list = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { contacts?: unknown }).contacts : undefined;
  if (!Array.isArray(list) || Object.keys(body as object).length !== 1) {
    throw badRequest('Send { "contacts": [ { "id"?, "fields": { … }, "tags"?: [ … ] }, … ] } as JSON, or a CSV file with "Content-Type: text/csv"');
  }
  if (list.length > MAX_IMPORT_ROWS) throw badRequest(`There are ${list.length} contacts; import at most ${MAX_IMPORT_ROWS.toLocaleString('en-US')} at a time`);
  return list.map((entry, i): Item => {
    const parsed = ImportEntry.safeParse(entry);
    if (parsed.success) {
      const fields = { ...parsed.data.fields };
      for (const [k, v] of Object.entries(fields)) {
        if ((typeof v === 'number' || typeof v === 'boolean') && rt.world.fields.resolve(k)?.key === 'email') fields[k] = String(v);
      }
      return { row: i + 1, fields, ...(parsed.data.id === undefined ? {} : { id: parsed.data.id }), ...(parsed.data.tags ? { tags: parsed.data.tags } : {}) };
    }
    const issue = parsed.error.issues[0];
    return { row: i + 1, message: `This contact is not valid: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}` };
  });
}

/**
 * Import jobs, kept in memory: a restart forgets them (the rows imported so far stay imported).
 * Each job works batch by batch through the runtime, so its progress can be read while it runs.
 */
export class ImportJobs {
  readonly #jobs = new Map<string, ImportJob>();

  constructor(
    private readonly rt: Runtime,
    private readonly logError: (e: unknown) => void,
  ) {}

  /** Starts a job; its first batch is queued before this returns. Resolves the job when it ends. */
  start(format: ImportJob['format'], items: readonly Item[], ignored: string[]): { job: ImportJob; done: Promise<void> } {
    const job: ImportJob = {
      jobId: randomUUID(), status: 'running', format, total: items.length, processed: 0, created: 0, updated: 0, skipped: 0,
      errors: [], ignoredColumns: ignored, startedAt: new Date(this.rt.clock.now()).toISOString(), finishedAt: null,
    };
    this.#jobs.set(job.jobId, job);
    this.#forgetOld();
    return { job, done: this.#run(job, items) };
  }

  /** A job by id, or undefined. */
  get(id: string): ImportJob | undefined {
    return this.#jobs.get(id);
  }

  async #run(job: ImportJob, items: readonly Item[]): Promise<void> {
    const skip = (errors: readonly RowError[]) => {
      job.skipped += errors.length;
      job.errors.push(...errors.slice(0, Math.max(0, MAX_ERRORS - job.errors.length)));
    };
    try {
      for (let i = 0; i < items.length; i += IMPORT_BATCH) {
        const part = items.slice(i, i + IMPORT_BATCH);
        const rows = part.filter((it): it is ImportRow => !('message' in it));
        const result = rows.length ? await importBatch(this.rt, rows, { import: true }) : { created: 0, updated: 0, errors: [] };
        job.created += result.created;
        job.updated += result.updated;
        // Report errors in row order, whichever step found them.
        skip([...part.filter((it): it is RowError => 'message' in it), ...result.errors].sort((a, b) => a.row - b.row));
        job.processed += part.length;
        // Let waiting requests in (reading progress, events) before the next batch.
        if (i + IMPORT_BATCH < items.length) await new Promise((resolve) => setImmediate(resolve));
      }
      job.status = 'done';
    } catch (e) {
      job.status = 'failed';
      if (e instanceof AppError) {
        job.message = e.message;
      } else {
        this.logError(e);
        job.message = `The import stopped after ${job.processed} rows because of an error on the server; those rows were imported`;
      }
    } finally {
      job.finishedAt = new Date(this.rt.clock.now()).toISOString();
    }
  }

  #forgetOld(): void {
    const finished = [...this.#jobs.values()].filter((j) => j.status !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - KEPT_JOBS))) this.#jobs.delete(j.jobId);
  }
}

/**
 * `POST /api/contacts/import` and `GET /api/contacts/import/:jobId`: CSV or JSON, thousands of
 * rows, upserted by id or email in transactions of {@link IMPORT_BATCH} rows, with progress.
 */
export function importOps(router: ApiRouter, deps: AppDeps): ApiRouter {
  const jobs = new ImportJobs(deps.rt, deps.logError ?? console.error);
  return router
    .op({
      method: 'post', path: '/import', summary: 'Import contacts from CSV or JSON',
      description: 'CSV (`Content-Type: text/csv`; a header row of field keys or labels, and `id`; tags separated by `;`) or JSON '
        + '`{ "contacts": [ { "id"?, "fields", "tags"? } ] }`. Rows update the contact with their id, else their email, else create one; '
        + 'empty cells leave fields as they are. Rows with errors are reported and skipped. Answers 202 with the job at once '
        + '(read its progress at `GET /api/contacts/import/{jobId}`), or 200 when it is done with `?wait=true`. Jobs are kept in memory.',
      query: ImportQuery, rawBody: 'text/csv', status: 202, response: ImportJobView,
    }, async (c, { query }) => {
      const type = c.req.header('content-type') ?? '';
      let started;
      if (/^text\/csv\b/i.test(type)) {
        const text = await c.req.text();
        refuseBadText(text, 'The CSV file');
        const { items, ignored } = csvItems(deps.rt, text);
        started = jobs.start('csv', items, ignored);
      } else if (/^application\/(.+\+)?json\b/i.test(type)) {
        started = jobs.start('json', jsonItems(deps.rt, await readJson(c)), []);
      } else {
        throw new AppError(415, `Send a CSV file with "Content-Type: text/csv", or JSON { "contacts": [...] } with "Content-Type: application/json"${type ? ` (got "${type}")` : ''}`);
      }
      if (query.wait) {
        await started.done;
        return c.json(started.job, 200);
      }
      c.header('Location', `/api/contacts/import/${started.job.jobId}`);
      return c.json(started.job, 202);
    })
    .op({ method: 'get', path: '/import/:jobId', summary: 'Read the progress of an import', response: ImportJobView }, (c) => {
      const job = jobs.get(pathParam(c, 'jobId'));
      if (!job) throw notFound('No such import job: jobs are kept in memory until the server restarts (the last 100 finished ones)');
      return c.json(job);
    });
}
