import { useLayoutEffect, useRef, useState } from 'react';
import type { FieldDef } from '../../../../engine/schema/field.js';
import { fieldReference, insertAt } from './expression-check.js';

/**
 * "Insert field" for a text box: the reference goes where the caret is (replacing a selection),
 * and the caret lands after it once React has rendered the new text.
 */
export function useFieldInsert<T extends HTMLInputElement | HTMLTextAreaElement>(value: string, onChange: (value: string) => void) {
  const input = useRef<T>(null);
  const [cursor, setCursor] = useState<number | null>(null);

  useLayoutEffect(() => {
    if (cursor === null || !input.current) return;
    input.current.focus();
    input.current.setSelectionRange(cursor, cursor);
    setCursor(null);
  }, [cursor]);

  const insert = (f: FieldDef) => {
    const el = input.current;
    const r = insertAt(value, el?.selectionStart ?? value.length, el?.selectionEnd ?? value.length, fieldReference(f));
    onChange(r.text);
    setCursor(r.cursor);
  };
  return { input, insert };
}
