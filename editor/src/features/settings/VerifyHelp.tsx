import { useState } from 'react';
import { getElementSecret } from './api.js';
import { SecretText } from './Copy.js';
import { API_REFERENCE } from '../../lib/docs.js';

const NODE_EXAMPLE = `import { Webhook } from 'standardwebhooks';

const wh = new Webhook(process.env.SCOREMAP_WEBHOOK_SECRET); // whsec_…
// rawBody: the request's body exactly as received, before any JSON parsing
const event = wh.verify(rawBody, request.headers); // throws when forged or stale
if (alreadySeen(request.headers['webhook-id'])) return; // a retry of one you kept`;

/**
 * How a receiver checks that a delivery came from this server: the Standard Webhooks headers, a
 * library call, and dropping repeats by id. On the list page it also offers the secret of map
 * elements that post to an address of their own.
 */
export function VerifyHelp({ withElementSecret = true }: { withElementSecret?: boolean }) {
  return (
    <details className="card help">
      <summary><h2>How to verify signatures</h2></summary>
      <p>
        Every delivery is signed as the <b>Standard Webhooks</b> specification says. It carries three headers:
        <code>webhook-id</code> (the delivery's id, the same on every retry), <code>webhook-timestamp</code> (seconds since 1970) and
        <code>webhook-signature</code> (<code>v1,</code> and the base64 HMAC-SHA256 of <code>id.timestamp.body</code>, keyed with the secret after <code>whsec_</code>, base64-decoded).
      </p>
      <p>Use a <code>standardwebhooks</code> library (JavaScript, Python, Go, Ruby, PHP, Rust, Java…) rather than your own code: it compares in constant time and refuses old timestamps.</p>
      <pre className="code-block"><code>{NODE_EXAMPLE}</code></pre>
      <p>
        Answer with any 2xx within 10 seconds. Anything else is retried after about 10 s, 1 min, 10 min, 1 h, then every 6 h, for 3 days;
        a delivery may arrive twice, so keep the <code>webhook-id</code>s you have handled. More in the <a href={API_REFERENCE} target="_blank" rel="noreferrer">API reference</a>.
      </p>
      {withElementSecret && <ElementSecret />}
    </details>
  );
}

/** The secret map elements with a URL of their own sign with, fetched only when asked for. */
function ElementSecret() {
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="element-secret">
      <h3>Webhook elements with their own URL</h3>
      <p className="muted small">A map's webhook element that posts to an address of its own (not to one of these webhooks) signs with this secret.</p>
      {secret
        ? <SecretText secret={secret} label="The map elements' signing secret" />
        : <button type="button" onClick={() => getElementSecret().then(setSecret, (e: Error) => setError(e.message))}>Show the elements' secret</button>}
      {error && <p className="notice error" role="alert">{error}</p>}
    </div>
  );
}
