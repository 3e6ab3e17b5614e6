/** Types of intake-events.mjs (plain JavaScript so the client process starts without a compiler). */
export interface BenchEvent {
  id: string;
  contact: { email: string };
  type: string;
  props?: { url: string };
}
export const TYPES: readonly { type: string; props?: { url: string } }[];
export function eventAt(i: number, prefix: string, contacts: number): BenchEvent;
export function batches(total: number, contacts: number, prefix?: string): BenchEvent[][];
