// The second process of the intake benchmark: sends events to POST /api/events over 127.0.0.1 and
// prints one JSON line with what it measured. Plain JavaScript so it starts without a compiler.
import http from 'node:http';
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
} else if (mode === 'concurrent') {
  // Single events from `clients` keep-alive connections at once (a tracker, forms, other tools),
  // each client sending its next request when the last is answered, for a fixed time. Plain
  // node:http with a keep-alive agent: the client must cost less than the server it measures.
  const clients = Number(process.argv[8] ?? 32);
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const target = new URL(`${url}api/events`);
  const send = (body) => new Promise((resolve, reject) => {
    const req = http.request(target, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`POST /api/events: ${res.statusCode} ${Buffer.concat(parts).toString().slice(0, 300)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  const until = performance.now() + Number(secondsText) * 1000;
  const latencies = [];
  let next = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < until) {
      const body = JSON.stringify(eventAt(next++, 'k'));
      const s = performance.now();
      await send(body);
      latencies.push(performance.now() - s);
    }
  }));
  const ms = performance.now() - t;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  process.stdout.write(JSON.stringify({ requests: latencies.length, ms, p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] }) + '\n');
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
