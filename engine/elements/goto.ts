import { z } from 'zod';
import { elementBase, Ref } from './base.js';
import { defineKind } from './types.js';

/** Continues at another element at once: how loops are drawn. */
export const GotoElement = z.strictObject({
  ...elementBase,
  kind: z.literal('goto'),
  target: Ref,
});
export type GotoElement = z.infer<typeof GotoElement>;

export const goto = defineKind<GotoElement>({
  kind: 'goto',
  schema: GotoElement,
  outlets: (el) => [{ path: 'target', target: el.target, instant: true, required: true }],
  describe: (el) => (el.target ? `Go to ${el.target}` : 'Go to … (no target yet)'),
  check() {},
  run: (el) => (el.target ? { go: el.target } : { error: 'The go-to has no target' }),
});
