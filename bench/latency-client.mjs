// The second process of the tick-latency benchmark: over 127.0.0.1, one request at a time, a
// single-event POST /api/events for a random parked contact, then GET /api/health, again and
// again; each request's latency is recorded. It stops after `seconds`, or when a line arrives on
// stdin ("stop"), and prints one JSON line: the latencies (ms) of each kind and any failures.
// Plain JavaScript so it starts without a compiler.
const [url, token, contactsText, secondsText] = process.argv.slice(2);
const contacts = Number(contactsText);
const until = secondsText === 'stdin' ? Infinity : performance.now() + Number(secondsText) * 1000;
let stopped = false;
if (secondsText === 'stdin') {
  process.stdin.on('data', () => (stopped = true));
  process.stdin.on('end', () => (stopped = true));
}
const id = (i) => `c${String(i).padStart(7, '0')}`;
const headers = { authorization: `Bearer ${token}` };
const events = [];
const health = [];
const failures = [];
let n = 0;

async function timed(into, path, init) {
  const t = performance.now();
  try {
    const res = await fetch(`${url}api/${path}`, { ...init, headers: { ...headers, ...init?.headers } });
    const text = await res.text();
    if (!res.ok) failures.push(`${path}: ${res.status} ${text.slice(0, 200)}`);
  } catch (e) {
    failures.push(`${path}: ${e.cause?.code ?? e.message}`);
  }
  into.push(performance.now() - t);
}

process.stdout.write('ready\n');
// Checked before each request, not each pair: a health check begun after the tick answered would
// count an idle server's latency as the tick's.
const going = () => !stopped && performance.now() < until;
while (going()) {
  const body = JSON.stringify({ contact: { id: id(Math.floor(Math.random() * contacts)) }, type: 'page_visited', props: { url: `/latency/${n++}` } });
  await timed(events, 'events', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (going()) await timed(health, 'health');
}
process.stdout.write(`${JSON.stringify({ events, health, failures })}\n`);
