/** Proves the set-based setup (bench/park.ts) leaves exactly the rows the engine writes, before and after a tick. */
import { isDeepStrictEqual } from 'node:util';
import { DAY, scratch, T0 } from './common.js';
import { openDecayWorld, parkSetBased, parkThroughEngine, snapshot } from './park.js';

/** Parks `n` contacts both ways (through the engine, and set-based), ticks a day, compares every row. */
export async function checkSetup(n: number): Promise<boolean> {
  const tmp = scratch();
  try {
    const states: Record<string, unknown[]>[][] = [];
    for (const how of ['engine', 'set-based'] as const) {
      const { store, clock, rt } = await openDecayWorld(tmp.file(`${how}.db`));
      if (how === 'engine') await parkThroughEngine(rt, n);
      else await parkSetBased(store, n);
      const parked = await snapshot(store);
      await rt.advance(T0 + DAY, clock);
      states.push([parked, await snapshot(store)]);
      await store.close();
    }
    return isDeepStrictEqual(states[0], states[1]);
  } finally {
    tmp.remove();
  }
}
