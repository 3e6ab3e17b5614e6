import type { Duration } from '../../../../engine/schema/duration.js';
import type { FieldRegistry } from '../../../../engine/schema/field.js';
import { DurationInput } from './DurationInput.js';
import { FieldPicker } from './FieldPicker.js';
import { Setting } from './controls.js';

/** A date field and an optional offset after it: `date_reached` triggers and `wait until` a date share it. */
export function DateOffsetSettings<T extends { field: string; offset?: Duration }>({ value, path, fields, fieldHint, offsetHint, onChange }: {
  value: T;
  /** Where the settings sit in the element, for placing problems: `on` or `until`. */
  path: string;
  fields: FieldRegistry;
  fieldHint?: string;
  offsetHint: string;
  onChange(next: T): void;
}) {
  return (
    <>
      <Setting label="Date field" path={`${path}.field`} hint={fieldHint}>
        {(id, d) => <FieldPicker id={id} aria-describedby={d} value={value.field} fields={fields} types={['date']} onChange={(field) => onChange({ ...value, field })} />}
      </Setting>
      <Setting label="How long after the date" path={`${path}.offset`} hint={offsetHint}>
        {(id, d) => (
          <DurationInput
            id={id}
            label="How long after the date"
            describedBy={d}
            optional
            value={value.offset}
            onChange={(offset) => {
              const { offset: _old, ...rest } = value;
              onChange((offset ? { ...rest, offset } : rest) as T);
            }}
          />
        )}
      </Setting>
    </>
  );
}
