import { useEffect, useRef, useState } from 'react';
import { maskSecret } from './words.js';

/**
 * Copies a text. Where the browser refuses the clipboard (a page served over plain http from
 * another machine), the text is selected instead and the button says to press Ctrl+C.
 */
export function CopyButton({ text, label = 'Copy', target, className }: { text: string; label?: string; target?: () => HTMLElement | null; className?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'select'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const done = (s: 'copied' | 'select') => {
    setState(s);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setState('idle'), 2_500);
  };
  return (
    <button type="button" className={className} onClick={async () => {
      try {
        await navigator.clipboard.writeText(text);
        done('copied');
      } catch {
        const el = target?.();
        if (el) window.getSelection()?.selectAllChildren(el);
        done('select');
      }
    }}>
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'select' ? 'Press Ctrl+C' : label}</span>
    </button>
  );
}

/** A secret hidden behind its first characters, with Reveal and Copy. */
export function SecretText({ secret, label }: { secret: string; label: string }) {
  const [shown, setShown] = useState(false);
  const ref = useRef<HTMLElement>(null);
  return (
    <div className="secret-line">
      <code ref={ref} className="secret" aria-label={label}>{shown ? secret : maskSecret(secret)}</code>
      <button type="button" onClick={() => setShown(!shown)} aria-pressed={shown}>{shown ? 'Hide' : 'Reveal'}</button>
      <CopyButton text={secret} target={() => { setShown(true); return ref.current; }} />
    </div>
  );
}
