import { z } from 'zod';
import { elementBase } from './base.js';
import { defineKind } from './types.js';

/** The contact leaves the map; a later trigger brings it back in as new. */
export const EndElement = z.strictObject({
  ...elementBase,
  kind: z.literal('end'),
});
export type EndElement = z.infer<typeof EndElement>;

export const end = defineKind<EndElement>({
  kind: 'end',
  schema: EndElement,
  outlets: () => [],
  describe: () => 'Leave the map',
  check() {},
  run: () => ({ end: true }),
});
