// The second process of the intake benchmark: sends events to POST /api/events over 127.0.0.1 and
// prints one JSON line with what it measured. Plain JavaScript so it starts without a compiler.
import { batches, eventAt as eventAtFor } from './intake-events.mjs';

const [url, token, mode, totalText, contactsText, secondsText] = process.argv.slice(2);
const total = Number(totalText);
const contacts = Number(contactsText);
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const eventAt = (i, prefix) => eventAtFor(i, prefix, contacts);

async function post(body) {
  const res = await fetch(`${url}api/events`, { method: 'POST', headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST /api/events: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

if (mode === 'batch') {
  // Bodies are built before the clock starts; two requests in flight keep the server busy.
  const bodies = [];
  for (const batch of batches(total, contacts)) bodies.push(JSON.stringify(batch));
  let next = 0;
  let accepted = 0;
  const t = performance.now();
  await Promise.all([0, 1].map(async () => {
    while (next < bodies.length) {
      const answer = await post(bodies[next++]);
      accepted += answer.accepted; // after the await: `+=` would read a stale total
    }
  }));
  const ms = performance.now() - t;
  process.stdout.write(JSON.stringify({ accepted, ms }) + '\n');
} else {
  // Single events, one request at a time, for a fixed time, on contacts that exist.
  const until = performance.now() + Number(secondsText) * 1000;
  const t = performance.now();
  let requests = 0;
  while (performance.now() < until) {
    await post(JSON.stringify(eventAt(requests, 's')));
    requests++;
  }
  process.stdout.write(JSON.stringify({ requests, ms: performance.now() - t }) + '\n');
}
