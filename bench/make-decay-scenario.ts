// Writes a scenario with N contacts on the daily decay loop over D days (for timing `scoremap simulate`).
import { readFileSync, writeFileSync } from 'node:fs';

const n = Number(process.argv[2] ?? 1000);
const days = Number(process.argv[3] ?? 60);
const out = process.argv[4] ?? '/tmp/decay-1000.json';
const base = JSON.parse(readFileSync(new URL('../test/scenarios/decay-loop-move-here.json', import.meta.url), 'utf8'));
const start = Date.parse('2026-01-01T00:00:00Z');
const contacts = [];
const events = [];
for (let i = 0; i < n; i++) {
  contacts.push({ id: `c${i}`, fields: { email: `c${i}@example.com` } });
  // Three clicks spread over the first day, at minute offsets that differ per contact.
  for (let k = 0; k < 3; k++) {
    events.push({ contact: { id: `c${i}` }, type: 'email_link_clicked', at: new Date(start + ((i * 7 + k * 131) % 1440) * 60_000).toISOString() });
  }
}
writeFileSync(out, JSON.stringify({
  start: base.start,
  until: new Date(start + days * 86_400_000).toISOString(),
  maps: base.maps,
  contacts,
  events,
  expect: [],
}));
console.log(`wrote ${out}: ${n} contacts, ${events.length} events, ${days} days`);
