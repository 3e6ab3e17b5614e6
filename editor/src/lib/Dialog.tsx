import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import './pages.css';
import { HelpLink } from './HelpLink.js';
import type { DocPage } from './docs.js';

/**
 * A modal dialog on the native `<dialog>`: focus moves in and is kept there, Escape closes it,
 * and focus goes back where it was when it closes.
 */
export function Dialog({ title, onClose, children, wide, help }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean; /** The docs page the dialog's head links to. */ help?: DocPage }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const before = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    return () => {
      dialog.close();
      before?.focus?.();
    };
  }, []);
  return (
    <dialog ref={ref} className={`dialog${wide ? ' wide' : ''}`} aria-labelledby={id} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <header className="dialog-head">
        <h2 id={id}>{title}</h2>
        {help && <HelpLink page={help} />}
        <button type="button" className="icon" aria-label="Close" onClick={onClose}>×</button>
      </header>
      {children}
    </dialog>
  );
}

/** Asks before something that cannot be undone; the safe choice has the focus. */
export function ConfirmDialog({ title, message, confirm, onConfirm, onClose, busy, error }: {
  title: string; message: ReactNode; confirm: string;
  /** An action that answers a promise is waited for: the button says "Working…", and a failure is shown here (the dialog stays open). */
  onConfirm: () => void | Promise<void>;
  onClose: () => void; busy?: boolean; error?: string | null;
}) {
  const [working, setWorking] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const run = async () => {
    const done = onConfirm();
    if (!done) return;
    setWorking(true);
    setFailed(null);
    try {
      await done;
    } catch (e) {
      setFailed((e as Error).message);
      setWorking(false);
    }
  };
  const shown = error ?? failed;
  return (
    <Dialog title={title} onClose={onClose}>
      <div className="dialog-body">{message}</div>
      {shown && <p className="notice error" role="alert">{shown}</p>}
      <footer className="dialog-foot">
        <button type="button" onClick={onClose} autoFocus>Cancel</button>
        <button type="button" className="danger-solid" onClick={() => void run()} disabled={busy || working}>{busy || working ? 'Working…' : confirm}</button>
      </footer>
    </Dialog>
  );
}
