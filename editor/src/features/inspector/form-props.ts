import type { Element } from '../../../../engine/elements/index.js';
import type { FieldRegistry } from '../../../../engine/schema/field.js';

/** What every kind's form gets: its element, the map around it, the fields, and where to send changes. */
export interface FormProps<E extends Element> {
  readonly element: E;
  readonly elements: readonly Element[];
  readonly fields: FieldRegistry;
  /** A patch with a whole new value for each changed property; the element itself is never mutated. */
  onChange(patch: Partial<E>): void;
}
