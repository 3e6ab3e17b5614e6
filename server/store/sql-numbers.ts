import { sql, type RawBuilder } from 'kysely';

/**
 * Numbers in set-based SQL exactly as the engine makes them, on SQLite and PostgreSQL alike: what a
 * statement writes over many contacts must be what the per-contact path writes for each.
 */

/** A number as SQL: bound as a parameter, read as a double on both databases. */
export const num = (n: number): RawBuilder<number> => sql<number>`cast(${n} as double precision)`;

/**
 * `roundHalfAwayFromZero(x, decimals)` (engine/schema/field.ts) in SQL, operation for operation on
 * doubles: s = |x|·10^d·(1 + 4ε); Math.round(s) (for s ≥ 0.5, floor(s + 0.5) in doubles equals it
 * exactly; below 0.5 it is 0), divided by 10^d; the sign put back; from |x|·10^d ≥ 2^52 on, x as it
 * is. Neither database's own round() does this: SQLite rounds the double's exact binary value (the
 * double nearest 12.045 lies below it: 12.04), PostgreSQL's numeric rounds its shortest decimal
 * text; the engine nudges by 4ε (12.05). In two parts, so a statement built in layers can work out
 * `s` once (`cohort.ts`); `roundLikeEngine` is both at once (`x` is then read several times).
 */
export const rounding = {
  scale: (x: RawBuilder<number>, decimals: number): RawBuilder<number> => sql<number>`(abs(${x}) * ${num(10 ** decimals)} * ${num(1 + Number.EPSILON * 4)})`,
  finish: (x: RawBuilder<number>, s: RawBuilder<number>, decimals: number): RawBuilder<number> => {
    const r = sql<number>`((case when ${s} < ${num(0.5)} then ${num(0)} else floor(${s} + ${num(0.5)}) end) / ${num(10 ** decimals)})`;
    // 0 − r, not −r: a negative value that rounds to 0 is 0, as the engine stores it (PostgreSQL keeps a −0).
    return sql<number>`(case when abs(${x}) * ${num(10 ** decimals)} >= ${num(2 ** 52)} then ${x} when ${x} < ${num(0)} then (${num(0)} - ${r}) else ${r} end)`;
  },
};

/** `roundHalfAwayFromZero(x, decimals)` in SQL (see `rounding`). */
export const roundLikeEngine = (x: RawBuilder<number>, decimals: number): RawBuilder<number> => rounding.finish(x, rounding.scale(x, decimals), decimals);

/**
 * A number as the engine's history row keeps it (JSON.stringify): a whole number without ".0"
 * (SQLite prints a real 20 as "20.0"); with at most a few decimals both databases print the rest alike.
 */
export function numberJson(v: RawBuilder<unknown>): RawBuilder<string | null> {
  return sql<string | null>`(case when ${v} is null then null when ${v} = floor(${v}) then cast(cast(${v} as bigint) as text) else cast(${v} as text) end)`;
}
