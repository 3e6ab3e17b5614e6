import type { Element } from '../../../engine/elements/index.js';
import { OUTLET_PATHS } from './doc-ops.js';

/**
 * Why a connection from `source`'s outlet `path` to `target` is refused, in words, or null when it
 * is fine. A second connection from an outlet that already leads somewhere is fine: it replaces it.
 */
export function connectionRefusal(source: Element | undefined, path: string | null | undefined, target: Element | undefined): string | null {
  if (!source || !target) return 'Connect two elements of this map';
  if (!path || !OUTLET_PATHS[source.kind].includes(path)) return `${source.kind === 'end' ? 'An End' : 'This element'} has no such outlet`;
  if (source.id === target.id) return 'An element cannot lead to itself';
  if (target.kind === 'trigger') {
    return source.kind === 'goto'
      ? 'A go-to cannot jump to a trigger: pick the element after it'
      : 'Nothing leads into a trigger: a trigger is a door onto the map';
  }
  return null;
}
