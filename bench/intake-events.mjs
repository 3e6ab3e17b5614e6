// The events of the intake benchmark, shared by its client process and its in-process SQL replay.
export const TYPES = [
  { type: 'email_link_clicked' },
  { type: 'page_visited', props: { url: '/pricing' } },
  { type: 'form_submitted' },
  { type: 'page_visited', props: { url: '/blog/post' } },
];

/** Event i: contact i mod C by email (the first C create contacts), a type in turn, a fixed id. */
export const eventAt = (i, prefix, contacts) => ({ id: `${prefix}${i}`, contact: { email: `u${i % contacts}@bench.test` }, ...TYPES[i % TYPES.length] });

/** The batch bodies of `total` events, 1,000 to a batch. */
export function batches(total, contacts, prefix = 'e') {
  const out = [];
  for (let i = 0; i < total; i += 1000) out.push(Array.from({ length: Math.min(1000, total - i) }, (_, k) => eventAt(i + k, prefix, contacts)));
  return out;
}
