import { describe, expect, it } from 'vitest';
import { setup } from '../routes/testing.js';
import { mountPages } from './pages.js';

describe('/docs/api', () => {
  it('shows each body as a person writes it, and the example at the host and port asked', async () => {
    const { app, ops } = await setup();
    mountPages(app, { ops, editorDir: '/nonexistent', version: '1.2.3' });
    const html = await (await app.request('http://scoremap.example:9123/docs/api')).text();
    expect(html).toContain('http://scoremap.example:9123/api/events');
    expect(html).not.toContain('127.0.0.1:8080');
    const clock = html.slice(html.indexOf('/api/clock/advance'), html.indexOf('</div>', html.indexOf('/api/clock/advance')));
    expect(clock).toContain('Body:</small> <code>{ to: string (date-time) } | { ms: integer }</code>');
    const events = html.slice(html.indexOf('<code>/api/events</code>'));
    expect(events).toMatch(/Body:<\/small> <code>\{ id\?: string, contact: \{ id: string \} \| \{ email: string \(email\) \}, type: string/);
  });
});
