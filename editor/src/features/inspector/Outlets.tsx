import { kindOf, type Element } from '../../../../engine/elements/index.js';
import type { FieldRegistry } from '../../../../engine/schema/field.js';
import { ProblemText, useProblemsAt } from './controls.js';
import { elementTitles } from './element-words.js';

/** How each connection is called in the inspector. */
const OUTLET_WORDS: Readonly<Record<string, string>> = { next: 'Next', then: 'Yes', else: 'No', target: 'Go to', timeoutNext: 'After the timeout' };

/**
 * Connections drawn on the canvas, shown read-only with the target's title (and problems such as
 * "'What happens next?' is empty"). The element's kind says which it has.
 */
export function Outlets({ element, elements, fields, paths }: { element: Element; elements: readonly Element[]; fields: FieldRegistry; paths: readonly string[] }) {
  const titles = elementTitles(elements, fields);
  const outlets = kindOf(element).outlets(element).filter((o) => paths.includes(o.path));
  if (!outlets.length) return null;
  return (
    <dl className="insp-outlets">
      {outlets.map((o) => <OutletRow key={o.path} name={OUTLET_WORDS[o.path] ?? o.path} path={o.path} target={o.target} title={o.target ? titles.get(o.target) : undefined} />)}
    </dl>
  );
}

function OutletRow({ name, path, target, title }: { name: string; path: string; target: string | undefined; title: string | undefined }) {
  const { problems, id } = useProblemsAt(path);
  return (
    <div className="insp-outlet" aria-describedby={id}>
      <dt>{name}</dt>
      <dd>
        {target === undefined || target === ''
          ? <span className="muted">Not connected — drag from its handle on the canvas</span>
          : title ?? <span className="error">Missing element “{target}”</span>}
        <ProblemText problems={problems} id={id} />
      </dd>
    </div>
  );
}
