/** The answer of POST /api/simulate, and what the panel reads from it: paths through maps, chart points. */
import type { Cause } from '../contacts/causes.js';

export interface SimChange { contact: string; at: string; field: string; from: unknown; to: unknown; cause: Cause }
export interface SimResult {
  history: SimChange[];
  final: Record<string, Record<string, unknown>>;
  expectations: { contact: string; at: string; field: string; equals: unknown; tolerance?: number; actual: unknown; pass: boolean }[];
  errors: { map?: string; element?: string; message: string; count?: number }[];
}

/** One step of a contact's path: an element that acted, and how many times in a row. */
export interface PathStep { readonly element: string; readonly times: number }

/**
 * The path each contact took through each map, from the history's causes: the elements that
 * changed a field, in order, repeats in a row counted ("Subtract 2 points ×5"). Keyed by the
 * simulation's map id (`map-1`, … in the scenario's order) and then by contact.
 */
export function contactPaths(history: readonly SimChange[]): Map<string, Map<string, PathStep[]>> {
  const out = new Map<string, Map<string, PathStep[]>>();
  for (const h of history) {
    const c = h.cause;
    if (!('map' in c) || !('element' in c)) continue;
    const map = String(c.map);
    const element = String(c.element);
    const byContact = out.get(map) ?? new Map<string, PathStep[]>();
    out.set(map, byContact);
    const steps = byContact.get(h.contact) ?? [];
    byContact.set(h.contact, steps);
    const last = steps[steps.length - 1];
    if (last && last.element === element) steps[steps.length - 1] = { element, times: last.times + 1 };
    else steps.push({ element, times: 1 });
  }
  return out;
}
