/**
 * When a field is created or changed in this tab (a picker's "New field…"), the open map reads
 * the fields again: its pickers offer the new field and its checks know it at once.
 */
import { mapFieldRegistry } from '../../../../engine/validate.js';
import { checkDraft, toRegistry } from '../../store/draft.js';
import { useMapEditor } from '../../store/map-editor.js';
import { FIELDS_CHANGED, listFields } from './fields-api.js';

let listening = false;

/** Starts listening (once per tab). */
export function syncMapEditorFields(): void {
  if (listening || typeof window === 'undefined') return;
  listening = true;
  window.addEventListener(FIELDS_CHANGED, () => {
    if (!useMapEditor.getState().doc) return;
    void listFields().then((rows) => {
      const doc = useMapEditor.getState().doc;
      if (!doc) return;
      const knownFields = toRegistry(rows);
      useMapEditor.setState({ knownFields, fields: mapFieldRegistry(doc, knownFields), problems: checkDraft(doc, knownFields) });
    }, () => undefined);
  });
}
