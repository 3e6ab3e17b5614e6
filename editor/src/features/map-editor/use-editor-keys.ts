import { useEffect } from 'react';
import { beforeNavigate } from '../../lib/route.js';
import { useMapEditor } from '../../store/map-editor.js';

const store = () => useMapEditor.getState();

/** Whether a key press belongs to a text field (its own undo, copy and paste apply there). */
function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/**
 * The editor's shortcuts: Ctrl+S saves (also while typing), Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y
 * redo, Ctrl+C and Ctrl+V copy and paste elements. Delete is the canvas's own (React Flow).
 */
export function useEditorKeys(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const key = e.key.toLowerCase();
      if (document.querySelector('dialog[open]')) return; // a dialog has the keyboard
      if (key === 's') {
        e.preventDefault();
        void store().save();
        return;
      }
      if (isTyping(e.target)) return;
      if (key === 'z' && !e.shiftKey) {
        e.preventDefault();
        store().undo();
      } else if ((key === 'z' && e.shiftKey) || key === 'y') {
        e.preventDefault();
        store().redo();
      } else if (key === 'c' && !window.getSelection()?.toString()) {
        store().copy();
      } else if (key === 'v') {
        e.preventDefault();
        store().paste();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

const LEAVE = 'This map has changes that are not saved. Leave without saving them?';

/**
 * Asks before leaving with unsaved changes: in-app navigation (`navigate`, links, Back and
 * Forward), closing or reloading the tab.
 */
export function useUnsavedGuard(): void {
  useEffect(() => {
    const mayLeave = () => !store().dirty || window.confirm(LEAVE);
    const off = beforeNavigate(mayLeave);
    const onUnload = (e: BeforeUnloadEvent) => {
      if (!store().dirty) return;
      e.preventDefault();
      e.returnValue = ''; // older browsers need it to ask
    };
    // Links, Back and Forward change the hash without `navigate`: the router asks the same guard then.
    window.addEventListener('beforeunload', onUnload);
    return () => {
      off();
      window.removeEventListener('beforeunload', onUnload);
    };
  }, []);
}

/** Adds `full` to the app's page element while the editor is open: no padding, no page scroll. */
export function useFullPage(): void {
  useEffect(() => {
    const page = document.querySelector('main.page');
    page?.classList.add('full');
    return () => page?.classList.remove('full');
  }, []);
}
