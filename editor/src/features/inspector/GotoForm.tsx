import type { GotoElement } from '../../../../engine/elements/index.js';
import { Setting } from './controls.js';
import { ElementSelect } from './inputs.js';
import type { FormProps } from './form-props.js';

/** Go to: the element to continue at — anything but a trigger (a door, not a place on the path). */
export function GotoForm({ element, elements, fields, onChange }: FormProps<GotoElement>) {
  return (
    <Setting label="Continue at" path="target" hint="The contact jumps there at once. Put a Wait in any loop this makes.">
      {(id, d) => (
        <ElementSelect
          id={id}
          describedBy={d}
          value={element.target}
          onChange={(target) => onChange({ target })}
          elements={elements}
          fields={fields}
          allow={(el) => el.kind !== 'trigger' && el.id !== element.id}
          placeholder="Choose an element…"
        />
      )}
    </Setting>
  );
}
