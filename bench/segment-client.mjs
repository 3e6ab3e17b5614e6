// The second process of the Segment intake benchmark: sends calls to POST /v1/batch over 127.0.0.1
// as @segment/analytics-node does (HTTP Basic with the write key as user name) and prints one JSON
// line with what it measured. Plain JavaScript so it starts without a compiler.
//
//   node segment-client.mjs <url> <key> batch <calls> <contacts>     the intake workload, 1,000 calls a batch, two in flight
//   node segment-client.mjs <url> <key> merge <visitors> <size>      anonymous page views, then identifies that merge beside identifies that do not
import { anonymousPages, identifyCall, segmentBodies, T0_ISO } from './segment-events.mjs';

const [url, key, mode, firstText, secondText] = process.argv.slice(2);
const headers = { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`, 'content-type': 'application/json', 'user-agent': 'analytics-node-next/latest' };
/** Segment's limit for a batch request. */
const MAX_BATCH_BYTES = 500 * 1024;

async function post(body) {
  const res = await fetch(`${url}v1/batch`, { method: 'POST', headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST /v1/batch: ${res.status} ${text.slice(0, 300)}`);
  if (JSON.parse(text).success !== true) throw new Error(`POST /v1/batch answered ${text.slice(0, 300)}`);
}

const bodyOf = (batch) => JSON.stringify({ batch, writeKey: key, sentAt: T0_ISO });

/** Posts every body, two in flight; milliseconds. */
async function postAll(bodies) {
  const largest = Math.max(...bodies.map((b) => Buffer.byteLength(b)));
  if (largest > MAX_BATCH_BYTES) throw new Error(`a batch body is ${largest} bytes, over Segment's 500 KB: make the batches smaller`);
  let next = 0;
  const t = performance.now();
  await Promise.all([0, 1].map(async () => {
    while (next < bodies.length) await post(bodies[next++]);
  }));
  return { ms: performance.now() - t, largest };
}

/** Posts one body alone; milliseconds. */
async function timed(body) {
  const t = performance.now();
  await post(body);
  return performance.now() - t;
}

if (mode === 'batch') {
  // Bodies are built before the clock starts.
  const { ms, largest } = await postAll(segmentBodies(Number(firstText), Number(secondText), key));
  process.stdout.write(JSON.stringify({ ms, largestBatchBytes: largest }) + '\n');
} else if (mode === 'merge') {
  const visitors = Number(firstText);
  const size = Number(secondText);
  const pages = anonymousPages(visitors);
  const pageBodies = [];
  for (let i = 0; i < pages.length; i += 1000) pageBodies.push(bodyOf(pages.slice(i, i + 1000)));
  const p = await postAll(pageBodies);
  // Users 0…V-1 merge their anonymous visits; users V…2V-1 identify from a browser never seen.
  // Batches of each in turn, one request at a time, so each kind's time is its own.
  let mergeMs = 0;
  let plainMs = 0;
  for (let from = 0; from < visitors; from += size) {
    const ks = Array.from({ length: Math.min(size, visitors - from) }, (_, j) => from + j);
    mergeMs += await timed(bodyOf(ks.map((k) => identifyCall(k, `anon-${k}`, 20_000_000 + k))));
    plainMs += await timed(bodyOf(ks.map((k) => identifyCall(visitors + k, `anon-new-${k}`, 30_000_000 + k))));
  }
  process.stdout.write(JSON.stringify({ pages: pages.length, pagesMs: p.ms, mergeMs, plainMs }) + '\n');
} else {
  throw new Error(`segment-client: unknown mode ${mode}`);
}
