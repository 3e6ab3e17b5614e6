/** Types of segment-events.mjs (plain JavaScript so the client process starts without a compiler). */
/** A Segment call as the benchmark sends it. */
export interface BenchSegmentCall {
  type: 'track' | 'page' | 'identify';
  messageId: string;
  timestamp: string;
  userId?: string;
  anonymousId?: string;
  event?: string;
  name?: string;
  properties?: Record<string, string>;
  traits?: Record<string, string>;
  context: { library: { name: string; version: string }; traits?: { email: string } };
  integrations: Record<string, never>;
  _metadata: { nodeVersion: string; jsRuntime: string };
}
export const T0_ISO: string;
export function messageId(n: number): string;
export function segmentCallAt(i: number, contacts: number): BenchSegmentCall;
export function segmentBodies(total: number, contacts: number, writeKey: string, size?: number): string[];
export function anonymousPages(visitors: number, from?: number): BenchSegmentCall[];
export function identifyCall(k: number, anonymousId: string, n: number): BenchSegmentCall;
