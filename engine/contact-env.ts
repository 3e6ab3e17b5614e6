import type { ConditionEnv } from './conditions.js';
import type { FieldValue } from './elements/types.js';
import type { FieldRegistry } from './schema/field.js';
import type { ContactState } from './state.js';

/**
 * A contact as conditions and expressions read it: its fields by key, the triggering event's
 * props, the change a field_updated trigger reacts to. Only own values are read: a field or prop
 * named `constructor` is never Object's.
 */
export class ContactEnv implements ConditionEnv {
  constructor(
    readonly contact: ContactState,
    readonly now: number,
    readonly fields: FieldRegistry,
    readonly props?: Readonly<Record<string, string | number | boolean>>,
    readonly change?: { field: string; from: FieldValue; to: FieldValue },
  ) {}

  get(key: string): FieldValue {
    if (key === 'tags') return this.contact.tags;
    const values = this.contact.fields;
    return Object.hasOwn(values, key) ? (values[key] ?? null) : null;
  }

  prop(name: string): string | number | boolean | undefined {
    const props = this.props;
    return props && Object.hasOwn(props, name) ? props[name] : undefined;
  }
}
