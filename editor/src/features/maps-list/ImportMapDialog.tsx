import { useState } from 'react';
import { api } from '../../lib/api.js';
import { Dialog } from '../../lib/Dialog.js';
import { ProblemList, problemsOf, type Problem } from './ProblemList.js';

/** Reads JSON, saying where it breaks in words. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: `This is not valid JSON: ${(e as Error).message}` };
  }
}

/** Import a map: choose a .json file or paste its JSON; the problems of a map that is not valid are listed. */
export function ImportMapDialog({ onClose, onImported }: { onClose: () => void; onImported: (id: string) => void }) {
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setError(null);
    setProblems([]);
    const parsed = parseJson(text);
    if (!parsed.ok) return setError(parsed.message);
    setBusy(true);
    try {
      const r = await api<{ map: { id: string } }>('/maps/import', { body: parsed.value });
      onImported(r.map.id);
    } catch (e) {
      setError((e as Error).message);
      setProblems(problemsOf(e));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Import a map" onClose={onClose} wide>
      <form className="dialog-body" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <label>
          A map file (.json)
          <input
            type="file" accept=".json,application/json"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              setFileName(file.name);
              setText(await file.text());
            }}
          />
        </label>
        <label>
          {fileName ? `Contents of ${fileName}` : 'or paste the JSON'}
          <textarea className="code" value={text} onChange={(e) => setText(e.target.value)} placeholder='{ "name": "…", "elements": [ … ] }' spellCheck={false} />
        </label>
        {error && (
          <div className="notice error" role="alert">
            {problems.length ? `This map cannot be imported: ${problems.length === 1 ? 'one problem' : `${problems.length} problems`} to fix first.` : error}
            <ProblemList problems={problems} />
          </div>
        )}
        <footer className="dialog-foot flush">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={!text.trim() || busy}>{busy ? 'Importing…' : 'Import as a draft'}</button>
        </footer>
      </form>
    </Dialog>
  );
}
