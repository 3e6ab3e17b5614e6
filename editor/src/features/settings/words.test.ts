import { describe, expect, it } from 'vitest';
import { attemptWords, lastProblem, checkWebhookUrl, codeTone, excerpt, isSlackUrl, lastUsedWords, maskSecret, newSecret, parseOrigins, scopeWords, SCOPES, trackerSnippet, webhookStatus } from './words.js';

const NOW = Date.parse('2026-01-05T12:00:00Z');

describe('parseOrigins', () => {
  it('reads one origin a line, or separated by commas, as browsers send them, without repeats', () => {
    const r = parseOrigins('https://www.Example.com\nhttp://localhost:3000, https://shop.example.com:443/\n\nhttps://www.example.com');
    expect(r).toEqual({ origins: ['https://www.example.com', 'http://localhost:3000', 'https://shop.example.com'], problems: [] });
  });

  it('names each entry that is not an origin, and keeps the good ones', () => {
    const r = parseOrigins('example.com https://ok.example.com https://example.com/shop ftp://files.example.com https://me:pw@example.com');
    expect(r.origins).toEqual(['https://ok.example.com']);
    expect(r.problems).toEqual([
      '"example.com" is not a web origin: write it as https://www.example.com',
      '"https://example.com/shop" has a path: an origin is only the scheme, the host and the port (https://example.com)',
      '"ftp://files.example.com" is not a web origin: write it as https://www.example.com',
      '"https://me:pw@example.com" carries a user name: an origin is only the scheme, the host and the port',
    ]);
  });

  it('answers nothing for an empty text', () => {
    expect(parseOrigins('  \n ')).toEqual({ origins: [], problems: [] });
  });
});

describe('the tracker snippet', () => {
  it('loads t.js from the server with the key, whatever slash the origin ends with', () => {
    const tag = '<script async src="https://scoremap.example.com/t.js" data-key="sm_abc"></script>';
    expect(trackerSnippet('https://scoremap.example.com', 'sm_abc')).toBe(tag);
    expect(trackerSnippet('https://scoremap.example.com/', 'sm_abc')).toBe(tag);
  });
});

describe('scopes', () => {
  it('offers the narrowest first and says an admin key never goes in a web page', () => {
    expect(SCOPES.map((s) => s.scope)).toEqual(['ingest', 'read', 'admin']);
    expect(scopeWords('admin').keep).toMatch(/never in a web page/);
    expect(scopeWords('ingest').keep).toMatch(/Safe to put in a web page/);
    expect(scopeWords('read').can).toMatch(/Changes nothing/);
  });
});

describe('webhook URLs', () => {
  it('accepts http and https addresses and explains the rest', () => {
    expect(checkWebhookUrl(' https://hooks.example.com/in ')).toBeNull();
    expect(checkWebhookUrl('http://127.0.0.1:8080/x')).toBeNull();
    expect(checkWebhookUrl('')).toBe('Give the address that receives the deliveries.');
    expect(checkWebhookUrl('hooks.example.com')).toMatch(/is not a web address/);
    expect(checkWebhookUrl('ftp://example.com')).toBe('The address must start with https:// or http://, not ftp://');
  });

  it('knows a Slack incoming webhook', () => {
    expect(isSlackUrl('https://hooks.slack.com/services/T0/B0/xyz')).toBe(true);
    expect(isSlackUrl('https://example.com/hooks.slack.com/')).toBe(false);
  });
});

describe('webhookStatus', () => {
  const base = { statusReason: null, failingSince: null, updatedAt: '2026-01-05T11:00:00Z' };

  it('says a disabled subscription failed, since when, and its last problem', () => {
    const reason = 'Failing since 2026-01-02T09:00:00.000Z (last: HTTP 503): disabled after 3 days';
    const s = webhookStatus({ ...base, status: 'disabled', statusReason: reason, failingSince: '2026-01-02T09:00:00Z' }, NOW);
    expect(s.tone).toBe('danger');
    expect(s.label).toBe('disabled');
    expect(s.detail).toMatch(/^Failing since .*2026.*; last: HTTP 503$/);
    expect(webhookStatus({ ...base, status: 'disabled' }, NOW).detail).toBe('Disabled 1 hour ago');
    expect(lastProblem(reason)).toBe('HTTP 503');
    expect(lastProblem('Failing since 2026-01-02T09:00:00.000Z (last: connect ECONNREFUSED 127.0.0.1:9 (refused)): disabled after 3 days')).toBe('connect ECONNREFUSED 127.0.0.1:9 (refused)');
    expect(lastProblem('The receiver is gone')).toBe('The receiver is gone');
    expect(lastProblem(null)).toBeNull();
  });

  it('says when a subscription was paused, and when an active one is failing', () => {
    expect(webhookStatus({ ...base, status: 'paused' }, NOW)).toEqual({ tone: 'warn', label: 'paused', detail: 'Paused 1 hour ago: no new deliveries until it is resumed' });
    expect(webhookStatus({ ...base, status: 'active' }, NOW)).toEqual({ tone: 'ok', label: 'active', detail: null });
    expect(webhookStatus({ ...base, status: 'active', failingSince: '2026-01-05T10:00:00Z' }, NOW).detail).toBe('Failing since 2 hours ago: retrying');
  });
});

describe('attempts and answers', () => {
  it('says the status code and the time, or that nothing answered and why', () => {
    expect(attemptWords({ statusCode: 200, error: null, ms: 34.4 })).toBe('200 in 34 ms');
    expect(attemptWords({ statusCode: null, error: 'connection refused', ms: 2 })).toBe('No answer in 2 ms: connection refused');
    expect(codeTone(204)).toBe('ok');
    expect(codeTone(500)).toBe('danger');
    expect(codeTone(null)).toBe('danger');
  });

  it('cuts a long answer to one line with an ellipsis', () => {
    expect(excerpt('  {"ok":\n  true}  ')).toBe('{"ok": true}');
    expect(excerpt('a'.repeat(200), 10)).toBe(`${'a'.repeat(9)}…`);
    expect(excerpt(null)).toBe('');
  });
});

describe('secrets', () => {
  it('makes a Standard Webhooks secret of 32 random bytes', () => {
    expect(newSecret((b) => b.fill(0))).toBe(`whsec_${Buffer.alloc(32).toString('base64')}`);
    const a = newSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(newSecret()).not.toBe(a);
  });

  it('hides all but the first characters of a secret', () => {
    expect(maskSecret('whsec_abcdefghij')).toBe('whsec_abcd••••••');
  });

  it('says "never" for a key never used, else how long ago', () => {
    expect(lastUsedWords(null, NOW)).toBe('never');
    expect(lastUsedWords('2026-01-05T11:57:00Z', NOW)).toBe('3 minutes ago');
  });
});
