// The intake benchmark's events as a Segment source sends them to POST /v1/batch, shared by the
// Segment client process and the benchmark's checks. Plain JavaScript so the client starts
// without a compiler.
//
// The source is a server app using @segment/analytics-node: every call names the person by the
// app's user id; the first call about a person also carries their email in `context.traits` (as an
// app does when it first sees someone, instead of a separate identify). Calls are what the library
// writes: its `context.library`, `_metadata`, `integrations`, a `node-next-…` messageId and an ISO
// `timestamp`; the batch body carries `writeKey` and `sentAt`, as the library's does.
import { eventAt } from './intake-events.mjs';

/** 2026-01-01T00:00:00Z: the benchmark's manual clock, so each call's time is the server's now, as /api/events's events get. */
export const T0_ISO = '2026-01-01T00:00:00.000Z';
const T0_MS = Date.parse(T0_ISO);

const LIBRARY = { name: '@segment/analytics-node', version: '3.1.0' };
const METADATA = { nodeVersion: 'v20.20.2', jsRuntime: 'node' };

/** The Segment call for each intake type: a track with Segment's name for it, or a page call. */
const CALLS = {
  email_link_clicked: () => ({ type: 'track', event: 'Email Link Clicked', properties: {} }),
  form_submitted: () => ({ type: 'track', event: 'Form Submitted', properties: {} }),
  page_visited: (props) => ({ type: 'page', name: props.url === '/pricing' ? 'Pricing' : 'Blog post', properties: { path: props.url, url: `https://www.bench.test${props.url}` } }),
};

/** A messageId as analytics-node makes one (`node-next-<ms>-<uuid>`), fixed by `n`. */
export const messageId = (n) => `node-next-${T0_MS}-00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const base = (n) => ({ context: { library: LIBRARY }, integrations: {}, messageId: messageId(n), timestamp: T0_ISO, _metadata: METADATA });

/** Event i of the intake workload as a Segment call: contact i mod C is user `u<k>`; its first call (i < C) carries the email. */
export function segmentCallAt(i, contacts) {
  const e = eventAt(i, 'e', contacts);
  const k = i % contacts;
  const call = { ...CALLS[e.type](e.props), userId: `u${k}`, ...base(i) };
  if (i < contacts) call.context = { ...call.context, traits: { email: e.contact.email } };
  return call;
}

/** The batch bodies of `total` calls, `size` to a batch, as analytics-node posts them. */
export function segmentBodies(total, contacts, writeKey, size = 1000) {
  const out = [];
  for (let i = 0; i < total; i += size) {
    const batch = Array.from({ length: Math.min(size, total - i) }, (_, k) => segmentCallAt(i + k, contacts));
    out.push(JSON.stringify({ batch, writeKey, sentAt: T0_ISO }));
  }
  return out;
}

/**
 * The merge figure's calls. Visitor k browses anonymously (`anon-<k>`, two page views of the
 * pricing page), then identifies as user `u<k>`, already known: the anonymous contact is merged in.
 * The plain identifies beside them name known users `u<k>` from a browser whose anonymous id was
 * never seen: nothing to merge.
 */
export function anonymousPages(visitors, from = 0) {
  const out = [];
  for (let k = 0; k < visitors; k++) {
    for (let p = 0; p < 2; p++) {
      out.push({ type: 'page', name: 'Pricing', properties: { path: '/pricing', url: 'https://www.bench.test/pricing' }, anonymousId: `anon-${from + k}`, ...base(10_000_000 + 2 * (from + k) + p) });
    }
  }
  return out;
}

/** An identify of user `u<k>` (email and a name) from a browser known as `anonymousId`. */
export function identifyCall(k, anonymousId, n) {
  return { type: 'identify', userId: `u${k}`, anonymousId, traits: { email: `u${k}@bench.test`, firstName: 'Bench' }, ...base(n) };
}
