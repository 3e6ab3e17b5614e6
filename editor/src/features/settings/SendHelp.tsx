import { useRef } from 'react';
import { href } from '../../lib/route.js';
import { CopyButton } from './Copy.js';
import { KEY_PLACEHOLDER } from './TrackerSnippet.js';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

/** Sending with the libraries teams already use: only the host and the key change. */
function examples(origin: string): string {
  return `// @segment/analytics-node
const analytics = new Analytics({ writeKey: '${KEY_PLACEHOLDER}', host: '${origin}' });
// @rudderstack/rudder-sdk-node
const analytics = new Analytics('${KEY_PLACEHOLDER}', { dataPlaneUrl: '${origin}' });

analytics.track({ userId: 'u-42', event: 'Webinar Joined', properties: { webinar: 'Scoring 101' } });
analytics.identify({ userId: 'u-42', traits: { email: 'ann@example.com', plan: 'pro' } });

# Or any HTTP client: the key is the user name of HTTP Basic
curl -u ${KEY_PLACEHOLDER}: -H 'content-type: application/json' \\
  -d '{"userId":"u-42","event":"Webinar Joined"}' ${origin}/v1/track`;
}

/**
 * How data gets in (SPEC §10): a Segment-compatible source pointed at this server with an ingest
 * key as its write key, or the website tracker.
 */
export function SendHelp() {
  const origin = window.location.origin;
  const hostRef = useRef<HTMLElement>(null);
  return (
    <section className="send-help" aria-label="How to send data">
      <div className="card">
        <h2>From Segment, RudderStack or any Segment-compatible source</h2>
        <p>Scoremap answers Segment's HTTP Tracking API (track, identify, page, screen, group, alias and batch) at <code>{origin}/v1</code>. In your source, change two settings:</p>
        <dl className="kv">
          <dt>Host</dt>
          <dd>
            <div className="secret-line">
              <code ref={hostRef} className="secret" aria-label="This server's address">{origin}</code>
              <CopyButton text={origin} label="Copy the host" target={() => hostRef.current} />
            </div>
            <span className="muted small">Segment's libraries call it <code>host</code>, RudderStack's <code>dataPlaneUrl</code>.</span>
          </dd>
          <dt>Write key</dt>
          <dd>An <b>ingest</b> key: it can only send data in. <a href={href('/settings/keys')}>Make one in API keys</a>.</dd>
        </dl>
        <details className="example">
          <summary>Example: Node.js, or any HTTP client</summary>
          <pre className="code-block"><code>{examples(origin)}</code></pre>
        </details>
      </div>
      <div className="card">
        <div className="section-head">
          <h2>From your website</h2>
          <HelpLink page={DOCS.tracker} />
        </div>
        <p>The tracker records page views and the events and sign-ups your pages tell it, with the same names as below.</p>
        <p>Its tag, ready to paste with the key in it, is shown when you make an ingest key; <a href={href('/settings/keys')}>API keys</a> also shows it with a placeholder.</p>
      </div>
    </section>
  );
}
