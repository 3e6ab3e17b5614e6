import { readFileSync } from 'node:fs';
import { Script } from 'node:vm';
import { gunzipSync, gzipSync } from 'node:zlib';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { stripComments, TRACKER_SOURCE, trackerRouter, trackerScript } from './tracker.js';

const source = readFileSync(TRACKER_SOURCE, 'utf8');
const app = trackerRouter({ version: '9.8.7' });
const get = (headers: Record<string, string> = {}) => app.request('/t.js', { headers });
const bytes = async (r: Response) => Buffer.from(await r.arrayBuffer());

/** The program a text parses to, printed without comments or layout: equal when only those differ. */
const program = (text: string) =>
  ts.createPrinter({ removeComments: true }).printFile(ts.createSourceFile('t.js', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS));

describe('GET /t.js, the website tracker', () => {
  it('is under 4 KB gzipped, as served and as any proxy would compress it', async () => {
    const r = await get({ 'accept-encoding': 'gzip, deflate, br' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-encoding')).toBe('gzip');
    const served = await bytes(r);
    expect(served.length).toBeLessThan(4096);
    const plain = await bytes(await get());
    expect(gzipSync(plain).length).toBeLessThan(4096);
    // The gzipped answer is the plain one, compressed.
    expect(gunzipSync(served).equals(plain)).toBe(true);
  });

  it('answers as a cacheable script that other sites may load', async () => {
    const r = await get();
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('public, max-age=300');
    expect(r.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(r.headers.get('vary')).toBe('Accept-Encoding');
    expect(r.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    // Without gzip in Accept-Encoding (or refused with q=0), the plain text.
    expect(r.headers.get('content-encoding')).toBeNull();
    const refused = await get({ 'accept-encoding': 'gzip;q=0, identity' });
    expect(refused.headers.get('content-encoding')).toBeNull();
    expect(refused.headers.get('etag')).toBe(r.headers.get('etag'));
    // The gzipped bytes are another representation: another ETag.
    const gz = await get({ 'accept-encoding': 'gzip' });
    expect(gz.headers.get('etag')).not.toBe(r.headers.get('etag'));
  });

  it('answers a revalidation with its current ETag by 304 and no body, and a stale one with the script', async () => {
    for (const encoding of ['', 'gzip']) {
      const first = await get({ 'accept-encoding': encoding });
      const etag = first.headers.get('etag')!;
      for (const ifNoneMatch of [etag, `W/${etag}`, `"old", ${etag}`]) {
        const again = await get({ 'accept-encoding': encoding, 'if-none-match': ifNoneMatch });
        expect(again.status, ifNoneMatch).toBe(304);
        expect(again.headers.get('etag')).toBe(etag);
        expect(again.headers.get('cache-control')).toBe('public, max-age=300');
        expect((await bytes(again)).length).toBe(0);
      }
      const stale = await get({ 'accept-encoding': encoding, 'if-none-match': '"an-older-script"' });
      expect(stale.status).toBe(200);
      expect((await bytes(stale)).equals(await bytes(first))).toBe(true);
    }
    // Another version of the script is another ETag: a browser holding the old one gets the new.
    const old = (await get()).headers.get('etag')!;
    const next = await trackerRouter({ version: '9.8.8' }).request('/t.js', { headers: { 'if-none-match': old } });
    expect(next.status).toBe(200);
  });

  it('serves the documented source minus its comments: the same program, its version filled in', async () => {
    const served = await (await get()).text();
    expect(() => new Script(served)).not.toThrow();
    expect(program(served)).toBe(program(source.replaceAll('__SCOREMAP_VERSION__', '9.8.7')));
    expect(served).not.toContain('__SCOREMAP_VERSION__');
    expect(served).toContain("var VERSION = '9.8.7';");
    expect(served.split('\n')[0]).toMatch(/^\/\*! Scoremap tracker 9\.8\.7: .*server\/intake\/tracker-script\.js.*\*\/$/);
    // What it promises: Segment's batch call to its own host, and the API on window.scoremap.
    for (const s of ["'v1/batch'", 'writeKey', 'sentAt', "'scoremap-tracker'", 'sendBeacon', 'page:', 'track:', 'identify:', 'consent:']) {
      expect(served, s).toContain(s);
    }
    // Only the header's comment is left; the source's comments are most of its bytes.
    expect(served.length).toBeLessThan(source.length * 0.75);
  });

  it('strips whole-line comments, blocks and trailing comments, and nothing inside code', () => {
    const text = [
      '/** A block',
      ' * over lines */',
      'var a = "http://example.com"; // the home page',
      '  // a line of its own',
      'var re = /\\/\\//; var s = \'// not a comment\';',
      '/* one line */',
      'if (a) { // why',
      '  go(a, // first',
      '    re);',
      '}',
    ].join('\n');
    const out = stripComments(text);
    expect(out).toBe('var a = "http://example.com";\nvar re = /\\/\\//; var s = \'// not a comment\';\nif (a) {\ngo(a,\nre);\n}\n');
    expect(program(out)).toBe(program(text));
  });

  it('fills in the version wherever the source names it', () => {
    const script = trackerScript('1.2.3', "var VERSION = '__SCOREMAP_VERSION__'; // x\nlib('__SCOREMAP_VERSION__');\n");
    expect(script.split('\n').slice(1).join('\n')).toBe("var VERSION = '1.2.3';\nlib('1.2.3');\n");
  });
});
