import { useRef } from 'react';
import type { ApiKey } from './api.js';
import { CopyButton } from './Copy.js';
import { trackerSnippet } from './words.js';
import './data-in.css';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

/** What the tag says in place of a key the page cannot show (a key's secret is shown once). */
export const KEY_PLACEHOLDER = 'YOUR_INGEST_KEY';

/**
 * The tracker's tag for a website (SPEC §10 "The tracker"), ready to copy, with the key's place
 * marked: the list of keys never knows a secret, so the tag carries a placeholder and says where the
 * key comes from. Under it, the tracker's options in a few lines.
 */
export function TrackerSnippet({ ingestKeys }: { ingestKeys: readonly ApiKey[] }) {
  const ref = useRef<HTMLElement>(null);
  const snippet = trackerSnippet(window.location.origin, KEY_PLACEHOLDER);
  const names = ingestKeys.map((k) => `${k.name} (${k.prefix}…)`);
  return (
    <section className="card tracker-snippet" aria-labelledby="tracker-snippet-title">
      <div className="section-head">
        <h2 id="tracker-snippet-title">Website snippet</h2>
        <HelpLink page={DOCS.tracker} />
      </div>
      <p>Paste this tag into every page of your website, before <code>&lt;/head&gt;</code>: it records page views and sends what your pages tell it.</p>
      <div className="snippet">
        <code ref={ref} aria-label="The website snippet">{snippet}</code>
        <CopyButton text={snippet} label="Copy the tag" target={() => ref.current} />
      </div>
      <p className="muted small">
        Replace <code>{KEY_PLACEHOLDER}</code> with the key of {names.length === 1 ? names[0] : `one of your ingest keys: ${names.join(', ')}`}. A key is shown only
        once, when it is made, with this tag already filled in; if you no longer have it, make a new ingest key. The website's origin must be
        listed on the key (Edit websites).
      </p>
      <ul className="options small">
        <li><code>scoremap.track('Demo Requested', {'{ plan: \'pro\' }'})</code> records an event; <code>scoremap.identify(email, traits)</code> says who the visitor is (a form's submit handler).</li>
        <li><code>data-consent="required"</code> on the tag: nothing is recorded until your consent banner calls <code>scoremap.consent(true)</code>; <code>scoremap.consent(false)</code> stops it and forgets the visitor.</li>
        <li>Do Not Track and Global Privacy Control are obeyed: such visitors are not recorded.</li>
      </ul>
      <p className="muted small">More, with the stub that lets a page call <code>scoremap.track</code> before the script has loaded, in <code>docs/integrations/tracker.md</code>.</p>
    </section>
  );
}
