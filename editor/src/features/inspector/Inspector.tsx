import { useId, type CSSProperties, type ReactNode } from 'react';
import type { Element } from '../../../../engine/elements/index.js';
import { elementBase } from '../../../../engine/elements/base.js';
import type { Problem } from '../../../../engine/elements/types.js';
import type { FieldRegistry } from '../../../../engine/schema/field.js';
import { ConditionForm } from './ConditionForm.js';
import { DraftInput, DraftTextarea, ProblemsContext, ProblemText, Setting } from './controls.js';
import { describeElement, elementTitles } from './element-words.js';
import { KIND_COLORS, KIND_TITLES, KindIcon } from '../canvas/icons.js';
import { EndForm } from './EndForm.js';
import { GotoForm } from './GotoForm.js';
import { Outlets } from './Outlets.js';
import { problemsOf, shownInForm } from './problems.js';
import { TriggerForm } from './TriggerForm.js';
import { UpdateFieldForm } from './UpdateFieldForm.js';
import { WaitForm } from './WaitForm.js';
import { WebhookForm } from './WebhookForm.js';
import { AssignOwnerForm } from './AssignOwnerForm.js';
import { OUTLET_PATHS } from '../../store/doc-ops.js';
import './inspector.css';
import { HelpLink } from '../../lib/HelpLink.js';
import { elementDoc } from '../../lib/docs.js';

export interface InspectorProps {
  /** The selected element, or null for none. */
  element: Element | null;
  /** Every element of the map, for pickers of targets. */
  elements: Element[];
  /** The contact fields plus the map's declared fields. */
  fields: FieldRegistry;
  /** The map's validation problems; the element's own are shown beside the setting they name. */
  problems: Problem[];
  /** A patch with a whole new value for each changed property (a key set to `undefined` is removed). */
  onChange(patch: Partial<Element>): void;
  /** The selected element ids; with several, the inspector names them instead of a form. */
  selection?: readonly string[];
}

const LABEL_MAX = elementBase.label.unwrap().maxLength ?? undefined;
const NOTE_MAX = elementBase.note.unwrap().maxLength ?? undefined;

/** The side panel that configures the selected element: its kind, label, note, settings and problems. */
export function Inspector({ element, elements, fields, problems, onChange, selection = [] }: InspectorProps) {
  const headingId = useId();
  if (!element && selection.length > 1) return <SeveralSelected ids={selection} elements={elements} fields={fields} />;
  if (!element) {
    // Nothing to configure: a narrow strip, so the canvas has the width (the panel opens on a selection).
    return (
      <section className="inspector inspector-empty" aria-label="Inspector">
        <p>Select an element to configure it</p>
      </section>
    );
  }
  const own = problemsOf(problems, element.id);
  const elsewhere = own.filter((p) => !shownInForm(element, p.path));
  const errors = own.filter((p) => p.severity === 'error').length;
  return (
    <ProblemsContext.Provider value={own}>
      {/* Keyed by id: drafts and half-made choices belong to one element, never to the next one selected. */}
      <section key={element.id} className="inspector" aria-labelledby={headingId} style={{ '--kind': KIND_COLORS[element.kind] } as CSSProperties}>
        <header className="insp-head">
          <div className="insp-title">
            <h2 id={headingId}>
              <span className="insp-kind-icon"><KindIcon kind={element.kind} /></span>
              {KIND_TITLES[element.kind]}
              {own.length > 0 && (
                <span className={`badge ${errors ? 'danger' : 'warn'}`}>
                  {errors ? `${errors} error${errors > 1 ? 's' : ''}` : `${own.length} warning${own.length > 1 ? 's' : ''}`}
                </span>
              )}
            </h2>
            <HelpLink page={elementDoc(element)} />
          </div>
          <p className="insp-describe">{describeElement(element, fields, elements)}</p>
        </header>

        <Setting label="Label" path="label">
          {(id, d) => (
            <DraftInput
              live
              id={id}
              aria-describedby={d}
              value={element.label ?? ''}
              maxLength={LABEL_MAX}
              placeholder="Name this step"
              onCommit={(label) => onChange({ label: label.trim() ? label : undefined })}
            />
          )}
        </Setting>

        <KindForm element={element} elements={elements} fields={fields} onChange={onChange} />

        {/* Every kind with a `next` outlet, connected or not: a new element has no `next` key yet, but its problem shows here. */}
        {OUTLET_PATHS[element.kind].includes('next') && <Outlets element={element} elements={elements} fields={fields} paths={['next']} />}

        <Setting label="Note" path="note">
          {(id, d) => (
            <DraftTextarea
              id={id}
              aria-describedby={d}
              rows={2}
              value={element.note ?? ''}
              maxLength={NOTE_MAX}
              placeholder="Why this step is here (for your team)"
              onCommit={(note) => onChange({ note: note.trim() ? note : undefined })}
            />
          )}
        </Setting>

        {elsewhere.length > 0 && (
          <Section title="Problems">
            <ProblemText problems={elsewhere} id={undefined} />
          </Section>
        )}
        <p className="insp-id muted">Id: <code>{element.id}</code></p>
      </section>
    </ProblemsContext.Provider>
  );
}

/** Several elements selected: which ones, and what can be done with them together. */
function SeveralSelected({ ids, elements, fields }: { ids: readonly string[]; elements: Element[]; fields: FieldRegistry }) {
  const headingId = useId();
  const chosen = new Set(ids);
  const titles = elementTitles(elements, fields);
  const shown = elements.filter((e) => chosen.has(e.id));
  return (
    <section className="inspector inspector-several" aria-labelledby={headingId}>
      <header className="insp-head">
        <h2 id={headingId}>{shown.length} elements selected</h2>
        <p className="insp-describe">Click one of them to configure it alone.</p>
      </header>
      <ul className="insp-selected-list">
        {shown.map((e) => (
          <li key={e.id} style={{ '--kind': KIND_COLORS[e.kind] } as CSSProperties}>
            <span className="insp-kind-icon"><KindIcon kind={e.kind} size={14} /></span>
            <span>{titles.get(e.id)}</span>
          </li>
        ))}
      </ul>
      <p className="insp-hint">Drag one to move them all; Delete removes them; Ctrl+C and Ctrl+V copy them; Shift+click adds or takes one out.</p>
    </section>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="insp-also">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

/** The form of the element's kind. */
function KindForm({ element, elements, fields, onChange }: Omit<InspectorProps, 'problems' | 'element'> & { element: Element }) {
  const common = { elements, fields, onChange };
  switch (element.kind) {
    case 'trigger': return <TriggerForm element={element} {...common} />;
    case 'update_field': return <UpdateFieldForm element={element} {...common} />;
    case 'wait': return <WaitForm element={element} {...common} />;
    case 'condition': return <ConditionForm element={element} {...common} />;
    case 'goto': return <GotoForm element={element} {...common} />;
    case 'end': return <EndForm element={element} {...common} />;
    case 'webhook': return <WebhookForm element={element} {...common} />;
    case 'assign_owner': return <AssignOwnerForm element={element} {...common} />;
  }
}
