import { describe, expect, it } from 'vitest';
import { importBatch } from '../runtime/import-batch.js';
import { GARBAGE, setup } from './testing.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** 5,000 rows: one quoted line break early (lines and rows then differ), a bad number, a short row. */
function bigCsv(): string {
  const lines = ['Email,First name,company_size,Tags,Company'];
  for (let i = 0; i < 5_000; i++) lines.push(`user${i}@example.com,"Name ${i}",${i},"lead;wave${i % 2}",Acme`);
  lines[11] = 'user10@example.com,"Multi\r\nLine",10,lead,"Acme, Inc."';
  lines[101] = 'user100@example.com,Bad,lots,,Acme';
  lines[2001] = 'user2000@example.com,Short';
  return `${lines.join('\r\n')}\r\n`;
}

async function bench() {
  const b = await setup();
  const importCsv = (csv: string, query = '') =>
    b.call(`/api/contacts/import${query}`, { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } });
  const job = async (id: string) => (await b.send('GET', `/api/contacts/import/${id}`)).body;
  return { ...b, importCsv, job };
}

describe('POST /api/contacts/import (CSV)', () => {
  it('imports 5,000 rows batch by batch, with progress readable while it runs, reporting broken rows', async () => {
    const { importCsv, job, send, store } = await bench();
    await send('POST', '/api/contacts', { id: 'old', fields: { email: 'USER7@example.com', company: 'Before' } });
    const started = await importCsv(bigCsv());
    expect(started.status).toBe(202);
    const { jobId, status, total } = await started.json();
    expect(started.headers.get('location')).toBe(`/api/contacts/import/${jobId}`);
    expect([status, total]).toEqual(['running', 5_000]);

    const seen: number[] = [];
    for (let j = await job(jobId); ; j = await job(jobId)) {
      if (j.status !== 'running') break;
      if (seen.at(-1) !== j.processed) seen.push(j.processed);
      await tick();
    }
    // Progress was seen between batches of 1,000 rows.
    expect(seen.some((n) => n > 0 && n < 5_000)).toBe(true);
    expect(seen.every((n) => n % 1_000 === 0)).toBe(true);

    const done = await job(jobId);
    expect(done).toMatchObject({ status: 'done', format: 'csv', total: 5_000, processed: 5_000, created: 4_997, updated: 1, skipped: 2 });
    expect(done.errors).toEqual([
      { row: 102, line: 103, message: 'Company size is a number field; "lots" is not a number' },
      { row: 2002, line: 2003, message: 'This row has 2 values; the header has 5 columns' },
    ]);
    expect(await store.contactCount()).toBe(4_998);

    // The existing contact was updated by email, the change caused by the import.
    const old = await send('GET', '/api/contacts/old');
    expect(old.body.fields).toMatchObject({ email: 'USER7@example.com', first_name: 'Name 7', company: 'Acme', company_size: 7 });
    expect(old.body.tags).toEqual(['lead', 'wave1']);
    const history = await send('GET', '/api/contacts/old/history?field=company');
    expect(history.body.history[0]).toMatchObject({ from: 'Before', to: 'Acme', cause: { import: true } });
    const list = await send('GET', `/api/contacts?${new URLSearchParams({ filter: JSON.stringify({ field: 'first_name', op: 'eq', value: 'multi\r\nline' }) })}`);
    expect(list.body.contacts[0].fields).toMatchObject({ email: 'user10@example.com', company: 'Acme, Inc.' });
  });

  it('lets events in between batches', async () => {
    const { importCsv, job, send } = await bench();
    const { jobId } = await (await importCsv(bigCsv())).json();
    const event = await send('POST', '/api/events', { contact: { email: 'someone@example.com' }, type: 'email_opened' });
    expect(event.status).toBe(200);
    const j = await job(jobId);
    expect(j.status).toBe('running');
    expect(j.processed).toBeLessThan(5_000);
    while ((await job(jobId)).status === 'running') await tick();
    expect(await job(jobId)).toMatchObject({ status: 'done', processed: 5_000 });
  });

  it('reads true/false cells the way spreadsheets and people write them', async () => {
    const { importCsv, store, rt } = await bench();
    await store.createFields([{ key: 'vip', label: 'VIP', type: 'boolean' }], rt.clock.now());
    await rt.reload();
    const j = await (await importCsv('id,VIP\r\na,TRUE\r\nb,no\r\nc,0\r\nd,maybe\r\n', '?wait=true')).json();
    expect(j).toMatchObject({ created: 3, skipped: 1, errors: [{ row: 5, message: 'VIP is a yes/no field; "maybe" is neither' }] });
    const vip = [...(await store.loadContacts(['a', 'b', 'c'])).values()].map((c) => c.fields.vip);
    expect(vip).toEqual([true, false, false]);
  });

  it('updates by id or email on a second import, recording nothing for unchanged values', async () => {
    const { importCsv, store } = await bench();
    const csv = 'id,email,score,created_at\r\na,a@example.com,5,2020-01-01\r\n,b@example.com,7,\r\n';
    const first = await (await importCsv(csv, '?wait=true')).json();
    expect(first).toMatchObject({ status: 'done', created: 2, updated: 0, ignoredColumns: ['created_at'] });
    const before = await store.historyAfter(0, 1_000);
    const again = await importCsv('id,email,score\r\na,,5\r\n,B@EXAMPLE.COM,8\r\n', '?wait=true');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'done', created: 0, updated: 2, skipped: 0 });
    const after = await store.historyAfter(0, 1_000);
    expect(after.slice(before.length).map((h) => [h.field, h.from, h.to, h.cause])).toEqual([['score', 7, 8, { import: true }]]);
  });

  it('reports a row whose email belongs to another contact than its id', async () => {
    const { importCsv } = await bench();
    const j = await (await importCsv('id,email\r\nx,x@example.com\r\ny,x@example.com\r\n', '?wait=true')).json();
    expect(j).toMatchObject({ created: 1, skipped: 1, errors: [{ row: 3, line: 3, message: 'The email "x@example.com" belongs to another contact ("x")' }] });
  });

  it.each([
    ['broken quoting, naming the line', 'email,company\r\na@x.com,"Acme\r\nb@x.com,Beta\r\n', /The CSV is broken: Line 2: a quoted field is never closed/],
    ['an unknown column', 'email,shoe size\r\na@x.com,42\r\n', /Unknown column "shoe size"/],
    ['two columns for one field', 'email,Email\r\na@x.com,a@x.com\r\n', /are the same field \(email\)/],
    ['a column without a name', 'email,\r\na@x.com,1\r\n', /Column 2 of the header has no name/],
    ['an empty file', '', /The CSV is empty/],
  ])('refuses %s with 400', async (_name, csv, message) => {
    const { importCsv, store } = await bench();
    const r = await importCsv(csv);
    expect(r.status).toBe(400);
    expect((await r.json()).error.message).toMatch(message);
    expect(await store.contactCount()).toBe(0);
  });

  it('skips a row with a 1 MB cell, a 300-character tag or the id "..", as POST /api/contacts refuses them, and imports the others', async () => {
    const { importCsv, store } = await bench();
    const csv = `id,email,First name,tags\r\n,big@x.com,${'x'.repeat(1 << 20)},lead\r\n,tag@x.com,Tom,${'t'.repeat(300)}\r\n..,dots@x.com,Dot,\r\n,ok@x.com,Ok,lead\r\n`;
    const r = await importCsv(csv, '?wait=true');
    expect(r.status).toBe(200);
    const job = await r.json();
    expect(job).toMatchObject({ status: 'done', created: 1, skipped: 3 });
    expect(job.errors).toEqual([
      { row: 2, line: 2, message: 'The value of "First name" has more than 10,000 characters' },
      { row: 3, line: 3, message: `The tag "${'t'.repeat(57)}…" has more than 200 characters` },
      { row: 4, line: 4, message: 'The id is not valid: a contact id cannot be "." or "..": no URL can name such a contact' },
    ]);
    expect(await store.contactCount()).toBe(1);
  });
});

describe('POST /api/contacts/import (JSON)', () => {
  it('imports { contacts } and reports malformed entries by their place in the list', async () => {
    const { send, store } = await bench();
    const r = await send('POST', '/api/contacts/import?wait=true', {
      contacts: [
        { id: 'ann', fields: { email: 'ann@example.com', Score: 10 }, tags: ['vip'] },
        { fields: { email: 'bob@example.com' }, extra: true },
        'not a contact',
        { fields: { shoe: 1 } },
        { id: 'ann', fields: { company: 'Acme' } },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'done', format: 'json', total: 5, processed: 5, created: 1, updated: 1, skipped: 3 });
    expect(r.body.errors.map((e: { row: number }) => e.row)).toEqual([2, 3, 4]);
    expect(r.body.errors[0].message).toMatch(/Unrecognized key: "extra"/);
    expect(r.body.errors[2].message).toMatch(/Unknown field "shoe"/);
    expect((await store.loadContacts(['ann'])).get('ann')!.fields).toMatchObject({ score: 10, company: 'Acme' });
  });

  it('reads an email given as a number as text, so a second import updates the contact instead of failing', async () => {
    const { send, store } = await bench();
    const first = await send('POST', '/api/contacts/import?wait=true', { contacts: [{ id: 'n1', fields: { email: 42 } }] });
    expect(first.body).toMatchObject({ status: 'done', created: 1 });
    const again = await send('POST', '/api/contacts/import?wait=true', { contacts: [{ fields: { Email: 42, company: 'Acme' } }, { fields: { email: true } }] });
    expect(again.body).toMatchObject({ status: 'done', created: 1, updated: 1, skipped: 0 });
    expect((await store.loadContacts(['n1'])).get('n1')!.fields).toMatchObject({ email: '42', company: 'Acme' });
  });

  // The route reads such emails as text (above); importBatch itself still looks the email up before coercing it:
  // its `emailOf` should normalize the value as readFieldValues stores it (String(42) → "42"). Flip to `it` once fixed.
  it('importBatch finds the contact of an email given as a number (it was a UNIQUE constraint error)', async () => {
    const { rt } = await setup();
    await importBatch(rt, [{ row: 1, id: 'n1', fields: { email: 42 } }], { import: true });
    expect(await importBatch(rt, [{ row: 1, fields: { email: 42 } }], { import: true })).toMatchObject({ created: 0, updated: 1 });
  });

  it('answers garbage with a 4xx and imports nothing', async () => {
    const { store, call } = await bench();
    for (const body of [...GARBAGE, JSON.stringify({ contacts: 'x' }), JSON.stringify({ contacts: [], more: 1 })]) {
      const r = await call('/api/contacts/import', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(r.status, body.slice(0, 60)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
    const plain = await call('/api/contacts/import', { method: 'POST', body: 'a,b', headers: { 'content-type': 'text/plain' } });
    expect(plain.status).toBe(415);
    expect((await plain.json()).error.message).toMatch(/text\/csv/);
    expect(await store.contactCount()).toBe(0);
  });

  it('answers 404 for an unknown job and 401 without the token', async () => {
    const { send, call } = await bench();
    const r = await send('GET', '/api/contacts/import/nope');
    expect(r.status).toBe(404);
    expect(r.body.error.message).toMatch(/kept in memory/);
    expect((await call('/api/contacts/import', { method: 'POST', body: 'email\r\n', headers: { 'content-type': 'text/csv' } }, null)).status).toBe(401);
    expect((await call('/api/contacts/import/x', {}, 'wrong')).status).toBe(401);
  });

  it('refuses an oversize file with 413', async () => {
    const { call } = await setup({ maxBodyBytes: 1024 });
    const r = await call('/api/contacts/import', { method: 'POST', body: `email\r\n${'a@example.com\r\n'.repeat(200)}`, headers: { 'content-type': 'text/csv' } });
    expect(r.status).toBe(413);
  });
});
