import type { ConditionElement } from '../../../../engine/elements/index.js';
import { ConditionEditor } from './ConditionEditor.js';
import { mapEventProps } from './condition-tree.js';
import { Outlets } from './Outlets.js';
import type { FormProps } from './form-props.js';

/** Condition: what to check; the Yes and No branches are drawn on the canvas and shown here. */
export function ConditionForm({ element, elements, fields, onChange }: FormProps<ConditionElement>) {
  return (
    <>
      <fieldset className="insp-section">
        <legend>If</legend>
        <ConditionEditor
          value={element.if}
          onChange={(c) => onChange({ if: c })}
          fields={fields}
          allowProps
          props={mapEventProps(elements)}
          path="if"
          label="If"
          emptyText="Say what to check: add a test."
        />
      </fieldset>
      <Outlets element={element} elements={elements} fields={fields} paths={['then', 'else']} />
    </>
  );
}
