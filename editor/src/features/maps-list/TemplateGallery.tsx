import { useId, useLayoutEffect, useRef, useState } from 'react';
import { api } from '../../lib/api.js';
import { useLoad } from '../../lib/use-load.js';

/** A template as GET /api/templates lists it. */
interface TemplateInfo {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly elements: number;
  readonly fields: readonly { key: string; label: string; type: string }[];
}

/** The ready-made maps in `maps/` as cards; Import makes a draft from one and opens it. */
export function TemplateGallery({ onImported }: { onImported: (id: string) => void }) {
  const templates = useLoad(() => api<{ templates: TemplateInfo[] }>('/templates').then((r) => r.templates), []);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const importTemplate = async (t: TemplateInfo) => {
    setBusy(t.name);
    setError(null);
    try {
      const r = await api<{ map: { id: string } }>(`/templates/${encodeURIComponent(t.name)}/import`, { method: 'POST' });
      onImported(r.map.id);
    } catch (e) {
      setError(`The template "${t.title}" could not be imported: ${(e as Error).message}`);
      setBusy(null);
    }
  };

  return (
    <section className="section" aria-labelledby="templates-h">
      <div className="section-head">
        <h2 id="templates-h">Start from a template</h2>
        <span className="muted">Ready-made scoring maps; importing one makes a draft you can change before publishing.</span>
      </div>
      {error && <p className="notice error" role="alert">{error}</p>}
      {templates.error && <p className="notice error" role="alert">The templates could not be loaded: {templates.error}</p>}
      {templates.loading && !templates.data && <p className="loading">Loading templates…</p>}
      {templates.data && !templates.data.length && (
        <p className="empty">No templates found. Template maps are the JSON files in the server's <code>maps/</code> folder.</p>
      )}
      {!!templates.data?.length && (
        <ul className="cards">
          {templates.data.map((t) => (
            <li key={t.name} className="card template">
              <h3>{t.title}</h3>
              <Description text={t.description} />
              <p className="meta muted">
                {t.elements} element{t.elements === 1 ? '' : 's'}
                {t.fields.length > 0 && <> · fields: {t.fields.map((f) => f.label).join(', ')}</>}
              </p>
              <button type="button" onClick={() => void importTemplate(t)} disabled={busy !== null} aria-label={`Import the template ${t.title}`}>
                {busy === t.name ? 'Importing…' : 'Import'}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Past four lines a description is cut, with "More" to read it whole in place (and "Less" to cut it again). */
function Description({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  const [cut, setCut] = useState(false);
  const ref = useRef<HTMLParagraphElement>(null);
  const id = useId();
  // Whether the text runs past the four lines the card shows: only then is there more to read.
  useLayoutEffect(() => {
    const p = ref.current;
    if (p && !open) setCut(p.scrollHeight > p.clientHeight + 1);
  }, [text, open]);
  if (!text) return <p className="desc"><span className="muted">No description.</span></p>;
  return (
    <>
      <p ref={ref} id={id} className={`desc${open ? ' open' : ''}`}>{text}</p>
      {(cut || open) && (
        <button type="button" className="link small desc-toggle" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
          {open ? 'Less' : 'More'}
        </button>
      )}
    </>
  );
}
