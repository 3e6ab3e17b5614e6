/** Parameters one statement may bind: below SQLite's 32,766 and PostgreSQL's 65,535. */
export const MAX_PARAMS = 30_000;
/** Rows one multi-row statement may carry. */
export const MAX_ROWS = 500;

/** Splits rows into batches of at most `MAX_ROWS` rows and `MAX_PARAMS` parameters (`paramsPerRow` each). */
export function chunk<T>(rows: readonly T[], paramsPerRow = 1): T[][] {
  const size = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / Math.max(1, paramsPerRow))));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Keeps the last row for each key. One upsert statement must not touch a row twice
 * (PostgreSQL refuses: "ON CONFLICT DO UPDATE command cannot affect row a second time").
 */
export function lastByKey<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const r of rows) {
    const k = key(r);
    byKey.delete(k); // re-insert so the order is that of the last occurrence
    byKey.set(k, r);
  }
  return [...byKey.values()];
}

/** Groups rows by a key, keeping first-seen order. */
export function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return groups;
}
