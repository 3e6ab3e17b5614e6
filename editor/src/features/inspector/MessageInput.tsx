import { useId } from 'react';
import { parseTemplate } from '../../../../engine/expression/template.js';
import type { FieldRegistry } from '../../../../engine/schema/field.js';
import { caretExcerpt } from './caret.js';
import { InsertFieldMenu } from './InsertFieldMenu.js';
import { useFieldInsert } from './use-field-insert.js';
import { describedBy, ProblemText, useProblemsAt } from './controls.js';
import { previewMessage } from './webhook-preview.js';

export interface MessageInputProps {
  readonly value: string;
  /** Called on every keystroke, as an expression is. */
  onChange(value: string): void;
  readonly fields: FieldRegistry;
  readonly label: string;
  /** Where validation's problems for this text are (`message`). */
  readonly path?: string;
  readonly maxLength?: number;
}

/**
 * Text with field references (`🔥 [First name] reached [Score]`), checked on every keystroke with the
 * engine's own reader: an unknown field is shown with a caret under it; a good message is previewed
 * for a sample contact.
 */
export function MessageInput({ value, onChange, fields, label, path, maxLength }: MessageInputProps) {
  const id = useId();
  const statusId = useId();
  const { input, insert } = useFieldInsert<HTMLTextAreaElement>(value, onChange);
  const check = parseTemplate(value, fields);
  const server = useProblemsAt(path);
  const extra = check.ok ? server.problems : [];
  const preview = check.ok ? previewMessage(value, fields) : null;

  const excerpt = !check.ok ? caretExcerpt(value, check.error.position) : null;
  return (
    <div className="insp-field insp-expr">
      <div className="insp-expr-head">
        <label htmlFor={id}>{label}</label>
        <InsertFieldMenu fields={fields} onInsert={insert} />
      </div>
      <textarea
        ref={input}
        id={id}
        rows={3}
        value={value}
        maxLength={maxLength}
        placeholder="🔥 [First name] [Last name] reached [Score] — [Email]"
        aria-invalid={!check.ok}
        aria-describedby={describedBy(statusId, extra.length > 0 && server.id)}
        onChange={(e) => onChange(e.target.value)}
      />
      {check.ok ? (
        <div className="insp-hint" id={statusId}>
          {preview !== null ? (
            <>
              <span>Preview for a sample contact:</span>
              <p className="insp-preview">{preview}</p>
            </>
          ) : 'Optional. Fields in square brackets are filled in for each contact.'}
        </div>
      ) : (
        <div className="insp-expr-error" id={statusId}>
          {excerpt && (
            <pre aria-hidden="true" className="insp-caret">
              {excerpt.text}
              {'\n'}
              <span>{excerpt.caret}</span>
            </pre>
          )}
          <p>{check.error.message}</p>
        </div>
      )}
      <ProblemText problems={extra} id={server.id} />
    </div>
  );
}
