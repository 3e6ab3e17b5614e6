import { useState } from 'react';
import { Dialog } from '../../lib/Dialog.js';
import { parseJson } from '../maps-list/ImportMapDialog.js';
import { ProblemList, problemsOf, type Problem } from '../maps-list/ProblemList.js';

/**
 * A model's JSON from a file or pasted. `onJson` creates the model (list page) or loads it into
 * the editor (model page); its error, with the server's problems, is shown here.
 */
export function ImportModelDialog({ title, action, onClose, onJson }: {
  title: string; action: string; onClose: () => void; onJson: (value: unknown) => Promise<void>;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={title} onClose={onClose} wide>
      <form className="dialog-body" onSubmit={async (e) => {
        e.preventDefault();
        const parsed = parseJson(text);
        if (!parsed.ok) return setError(parsed.message);
        setBusy(true);
        setError(null);
        setProblems([]);
        try {
          await onJson(parsed.value);
        } catch (err) {
          setError((err as Error).message);
          setProblems(problemsOf(err));
          setBusy(false);
        }
      }}>
        <label>A scoring model file (.json)
          <input type="file" accept=".json,application/json" onChange={async (e) => { const f = e.target.files?.[0]; if (f) setText(await f.text()); }} />
        </label>
        <label>or paste the JSON
          <textarea className="code" value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} placeholder='{ "id": "…", "name": "…", "rules": [ … ] }' />
        </label>
        {error && <div className="notice error" role="alert">{error}<ProblemList problems={problems.filter((p) => p.message !== error)} where={(p) => p.path || null} /></div>}
        <footer className="dialog-foot flush">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={!text.trim() || busy}>{busy ? 'Working…' : action}</button>
        </footer>
      </form>
    </Dialog>
  );
}
