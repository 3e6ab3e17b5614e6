import { UpdateFieldElement } from '../../../../engine/elements/update-field.js';
import type { UpdateFieldElement as UpdateField } from '../../../../engine/elements/index.js';
import { ExpressionInput } from './ExpressionInput.js';
import { FieldPicker } from './FieldPicker.js';
import { Setting, useProblemsAt, ProblemText } from './controls.js';
import { TagListInput } from './inputs.js';
import type { FormProps } from './form-props.js';

const TAG_LIST = UpdateFieldElement.shape.addTags.unwrap();
const VALUE_MAX = UpdateFieldElement.shape.value.unwrap().maxLength ?? undefined;

/** Update field: which field, and its new value as an expression — or, for Tags, tags to add and remove. */
export function UpdateFieldForm({ element, fields, onChange }: FormProps<UpdateField>) {
  const field = fields.resolve(element.field);
  const isTags = field?.type === 'tags';
  const add = useProblemsAt('addTags');
  const remove = useProblemsAt('removeTags');
  return (
    <>
      <Setting label="Field to update" path="field">
        {(id, d) => (
          <FieldPicker
            id={id}
            aria-describedby={d}
            value={element.field}
            fields={fields}
            // The engine refuses to change Created: it is the system's.
            exclude={['created_at']}
            onChange={(key) => {
              const toTags = fields.get(key)?.type === 'tags';
              if (toTags === isTags) return onChange({ field: key });
              // Tags take lists, every other field a value: switching drops what the other kind had.
              onChange(toTags
                ? { field: key, value: undefined, addTags: element.addTags ?? [], removeTags: element.removeTags ?? [] }
                : { field: key, value: element.value ?? '', addTags: undefined, removeTags: undefined });
            }}
          />
        )}
      </Setting>
      {isTags ? (
        <>
          <TagListInput label="Add these tags" value={element.addTags ?? []} schema={TAG_LIST} onChange={(addTags) => onChange({ addTags })} describedBy={add.id} />
          <ProblemText problems={add.problems} id={add.id} />
          <TagListInput label="Remove these tags" value={element.removeTags ?? []} schema={TAG_LIST} onChange={(removeTags) => onChange({ removeTags })} describedBy={remove.id} />
          <ProblemText problems={remove.problems} id={remove.id} />
        </>
      ) : (
        <>
          <ExpressionInput
            label="New value"
            value={element.value ?? ''}
            onChange={(value) => onChange({ value })}
            fields={fields}
            target={field?.type}
            targetLabel={field?.label}
            path="value"
            maxLength={VALUE_MAX}
          />
          <details className="insp-help">
            <summary>What can I write?</summary>
            <p>Numbers, <code>"text"</code>, fields as <code>[Custom Lead Score]</code>, <code>+ - * / %</code>, brackets, and
              {' '}<code>min</code>, <code>max</code>, <code>clamp(x, lo, hi)</code>, <code>round(x, d)</code>, <code>floor</code>, <code>ceil</code>,
              {' '}<code>abs</code>, <code>now()</code>, <code>days_since([Last activity])</code>. An empty number field reads as 0.</p>
          </details>
          {(add.problems.length > 0 || remove.problems.length > 0) && (
            <>
              <ProblemText problems={add.problems} id={add.id} />
              <ProblemText problems={remove.problems} id={remove.id} />
            </>
          )}
        </>
      )}
    </>
  );
}
