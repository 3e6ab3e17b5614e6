/** The map as a graph of element indices, for reachability and the instant-loop check. */

/** A connection out of an element: the target's index, the outlet's path, and whether it passes no time. */
export interface Edge {
  readonly to: number;
  readonly path: string;
  readonly instant: boolean;
}

/** Which elements can be reached from `starts` along any connection. */
export function reachableFrom(starts: readonly number[], edges: readonly (readonly Edge[])[]): boolean[] {
  const reached = edges.map(() => false);
  const queue = [...starts];
  for (const s of starts) reached[s] = true;
  while (queue.length) {
    const v = queue.pop()!;
    for (const e of edges[v]) {
      if (!reached[e.to]) {
        reached[e.to] = true;
        queue.push(e.to);
      }
    }
  }
  return reached;
}

/** Tarjan's strongly connected components, iteratively so a long chain of elements can't overflow the stack. */
export function stronglyConnected(adj: readonly (readonly number[])[]): number[][] {
  const n = adj.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  const open = (v: number) => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = true;
  };
  for (let s = 0; s < n; s++) {
    if (index[s] !== -1) continue;
    open(s);
    const work: [number, number][] = [[s, 0]];
    while (work.length) {
      const frame = work[work.length - 1];
      const v = frame[0];
      if (frame[1] < adj[v].length) {
        const w = adj[v][frame[1]++];
        if (index[w] === -1) {
          open(w);
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          component.push(w);
        } while (w !== v);
        components.push(component);
      }
    }
  }
  return components;
}

/** An instant loop: element indices in the order a contact goes round, starting at the first in the document. */
export interface Loop {
  readonly cycle: number[];
  /** The outlet of the first element that starts the loop. */
  readonly path: string;
}

/**
 * The cycles a contact could go round without passing a Wait: one per strongly connected component of the
 * instant connections (more than one element, or an element connected to itself), reported as the shortest
 * cycle through the component's first element in document order. Sorted by that element.
 */
export function instantLoops(edges: readonly (readonly Edge[])[]): Loop[] {
  const instant = edges.map((out) => out.filter((e) => e.instant));
  const loops: Loop[] = [];
  for (const component of stronglyConnected(instant.map((out) => out.map((e) => e.to)))) {
    const first = Math.min(...component);
    const self = instant[first].find((e) => e.to === first);
    if (self) {
      loops.push({ cycle: [first], path: self.path });
      continue;
    }
    if (component.length < 2) continue;
    const inComponent = new Set(component);
    // Breadth-first from `first` inside the component, back to `first`: the shortest way round.
    const via = new Map<number, { from: number; path: string }>();
    const queue = [first];
    let last = -1;
    for (let q = 0; q < queue.length && last < 0; q++) {
      const v = queue[q];
      for (const e of instant[v]) {
        if (e.to === first) {
          last = v;
          break;
        }
        if (!inComponent.has(e.to) || via.has(e.to) || e.to === first) continue;
        via.set(e.to, { from: v, path: e.path });
        queue.push(e.to);
      }
    }
    const cycle = [last];
    while (cycle[0] !== first) cycle.unshift(via.get(cycle[0])!.from);
    const path = cycle.length > 1 ? via.get(cycle[1])!.path : '';
    loops.push({ cycle, path });
  }
  return loops.sort((a, b) => a.cycle[0] - b.cycle[0]);
}
