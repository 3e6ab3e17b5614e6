import type { AssignOwnerElement } from '../../../../engine/elements/index.js';
import { MAX_OWNERS } from '../../../../engine/elements/assign-owner.js';
import { DraftTextarea, Setting } from './controls.js';
import type { FormProps } from './form-props.js';

/** The emails of a typed list: one a line (commas work too), trimmed, lower-cased, blanks left out. */
export function parseOwners(text: string): string[] {
  return text.split(/[\n,;]+/).map((s) => s.trim().toLowerCase()).filter((s) => s !== '').slice(0, MAX_OWNERS);
}

/**
 * Assign owner: the people who take turns, by email. Each contact that reaches the element gets the
 * next one as its Owner; the count of turns is kept by the server, across restarts and edits.
 */
export function AssignOwnerForm({ element, onChange }: FormProps<AssignOwnerElement>) {
  const count = element.owners.length;
  return (
    <Setting label="People who take turns" path="owners"
      hint={<>One email a line{count > 0 ? ` (${count} listed)` : ''}. Each contact that arrives here gets the next one as its Owner:
        the first, the second, …, then the first again. The turn is kept across restarts, and editing the list keeps the count.</>}>
      {(id, d) => (
        <DraftTextarea
          id={id}
          aria-describedby={d}
          className="insp-mono"
          rows={Math.min(10, Math.max(3, count + 1))}
          value={element.owners.join('\n')}
          spellCheck={false}
          autoComplete="off"
          placeholder={'ana@acme.com\nben@acme.com'}
          onCommit={(text) => onChange({ owners: parseOwners(text) })}
        />
      )}
    </Setting>
  );
}
