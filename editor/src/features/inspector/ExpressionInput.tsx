import { useId } from 'react';
import type { FieldRegistry, FieldType } from '../../../../engine/schema/field.js';
import { caretExcerpt } from './caret.js';
import { checkExpression } from './expression-check.js';
import { InsertFieldMenu } from './InsertFieldMenu.js';
import { useFieldInsert } from './use-field-insert.js';
import { describedBy, ProblemText, useProblemsAt } from './controls.js';

export interface ExpressionInputProps {
  readonly value: string;
  /** Called on every keystroke: an expression commits as it is typed. */
  onChange(value: string): void;
  readonly fields: FieldRegistry;
  /** The type of the field the value is written to, to say when the result won't fit it. */
  readonly target?: FieldType;
  readonly targetLabel?: string;
  readonly label: string;
  /** Where validation's problems for this value are (`value`). */
  readonly path?: string;
  readonly maxLength?: number;
}

/**
 * The value of an update_field: compiled on every keystroke with the engine's own parser. A problem is
 * shown under the input with a caret under the character it points at; a valid value says its type.
 */
export function ExpressionInput({ value, onChange, fields, target, targetLabel, label, path, maxLength }: ExpressionInputProps) {
  const id = useId();
  const statusId = useId();
  const { input, insert } = useFieldInsert<HTMLInputElement>(value, onChange);
  const check = checkExpression(value, fields, target, targetLabel);
  const server = useProblemsAt(path);
  // Validation's own words for what the live check already shows would only repeat it.
  const extra = check.ok ? server.problems : [];

  const excerpt = !check.ok && check.position !== null ? caretExcerpt(value, check.position) : null;
  return (
    <div className="insp-field insp-expr">
      <div className="insp-expr-head">
        <label htmlFor={id}>{label}</label>
        <InsertFieldMenu fields={fields} onInsert={insert} />
      </div>
      <input
        ref={input}
        id={id}
        className="insp-mono"
        value={value}
        maxLength={maxLength}
        spellCheck={false}
        autoComplete="off"
        placeholder="[Score] + 5"
        aria-invalid={!check.ok}
        aria-describedby={describedBy(statusId, extra.length > 0 && server.id)}
        onChange={(e) => onChange(e.target.value)}
      />
      {check.ok ? (
        <p className="insp-hint insp-expr-ok" id={statusId}>{check.words}</p>
      ) : (
        <div className="insp-expr-error" id={statusId}>
          {excerpt && (
            <pre aria-hidden="true" className="insp-caret">
              {excerpt.text}
              {'\n'}
              <span>{excerpt.caret}</span>
            </pre>
          )}
          <p>{check.message}</p>
        </div>
      )}
      <ProblemText problems={extra} id={server.id} />
    </div>
  );
}
