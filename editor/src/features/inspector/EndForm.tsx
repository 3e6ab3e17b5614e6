import type { EndElement } from '../../../../engine/elements/index.js';
import type { FormProps } from './form-props.js';

/** End: nothing to set. */
export function EndForm(_: FormProps<EndElement>) {
  return (
    <p className="insp-hint">
      A contact who reaches this End leaves the map. A trigger can bring them back in later, as a new entry.
    </p>
  );
}
