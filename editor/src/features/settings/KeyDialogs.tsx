import { useId, useRef, useState } from 'react';
import { Dialog } from '../../lib/Dialog.js';
import { createKey, updateKey, type ApiKey, type Scope } from './api.js';
import { CopyButton } from './Copy.js';
import { parseOrigins, SCOPES, scopeWords, trackerSnippet } from './words.js';

/** The websites an ingest key may be used from, one a line, checked as they are typed. */
function OriginsInput({ value, onChange, showProblems }: { value: string; onChange: (text: string) => void; showProblems: boolean }) {
  const [blurred, setBlurred] = useState(false);
  const problems = blurred || showProblems ? parseOrigins(value).problems : [];
  const id = useId();
  return (
    <div className="origins-input">
      <label htmlFor={id}>Websites allowed to use it from a browser</label>
      <textarea id={id} className="origins" value={value} onChange={(e) => onChange(e.target.value)} onBlur={() => setBlurred(true)} rows={3}
        placeholder={'https://www.example.com\nhttps://shop.example.com'} aria-invalid={problems.length ? true : undefined} aria-describedby={`${id}-help`} />
      <p id={`${id}-help`} className="muted small">
        One origin a line: the scheme, the host and the port, no path. Pages on other sites cannot send with this key.
      </p>
      {problems.map((p) => <p key={p} className="error small" role="alert">{p}</p>)}
    </div>
  );
}

/** Name a key and choose its scope; an ingest key also lists its websites. */
export function NewKeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (key: ApiKey, secret: string) => void }) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('ingest');
  const [origins, setOrigins] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false);
  const parsed = parseOrigins(origins);
  const invalid = !name.trim() || (scope === 'ingest' && parsed.problems.length > 0);
  return (
    <Dialog title="New API key" onClose={onClose}>
      <form onSubmit={async (e) => {
        e.preventDefault();
        setTried(true);
        if (invalid) return;
        setBusy(true);
        setError(null);
        try {
          const r = await createKey({ name: name.trim(), scope, ...(scope === 'ingest' ? { origins: parsed.origins } : {}) });
          onCreated(r.key, r.secret);
        } catch (err) {
          setError((err as Error).message);
          setBusy(false);
        }
      }}>
        <div className="dialog-body">
          <label>Name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Website tracker" autoFocus required maxLength={100} /></label>
          <fieldset className="scopes">
            <legend>What it can do</legend>
            {SCOPES.map((s) => (
              <label key={s.scope} className={`scope-choice${scope === s.scope ? ' chosen' : ''}`}>
                <input type="radio" name="scope" value={s.scope} checked={scope === s.scope} onChange={() => setScope(s.scope)} />
                <span>
                  <b>{s.title}</b> <span className="muted">{s.can}</span>
                  <span className="small keep">{s.keep}</span>
                </span>
              </label>
            ))}
          </fieldset>
          {scope === 'ingest' && <OriginsInput value={origins} onChange={setOrigins} showProblems={tried} />}
        </div>
        {error && <p className="notice error" role="alert">{error}</p>}
        <footer className="dialog-foot">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={!name.trim() || busy}>{busy ? 'Making the key…' : 'Make the key'}</button>
        </footer>
      </form>
    </Dialog>
  );
}

/** The new key, shown this once, with Copy; for an ingest key, the tracker's tag that carries it. */
export function SecretDialog({ apiKey, secret, onClose }: { apiKey: ApiKey; secret: string; onClose: () => void }) {
  const keyRef = useRef<HTMLElement>(null);
  const snippetRef = useRef<HTMLElement>(null);
  const snippet = trackerSnippet(window.location.origin, secret);
  return (
    <Dialog title={`Your new key: ${apiKey.name}`} onClose={onClose} wide={apiKey.scope === 'ingest'}>
      <div className="dialog-body">
        <p className="notice warn-notice" role="note">
          <b>Copy the key now: it will not be shown again.</b> Scoremap keeps only a fingerprint of it.
        </p>
        <div className="secret-line">
          <code ref={keyRef} className="secret" aria-label="The new key">{secret}</code>
          <CopyButton text={secret} label="Copy the key" target={() => keyRef.current} className="primary" />
        </div>
        <p className="muted small">{scopeWords(apiKey.scope).can} {scopeWords(apiKey.scope).keep}</p>
        {apiKey.scope === 'ingest' && (
          <>
            <h3>Track a website</h3>
            <p>Paste this tag into every page of your website, before <code>&lt;/head&gt;</code>. The key is needed in it: that is how Scoremap knows the events are yours.</p>
            <div className="snippet">
              <code ref={snippetRef} aria-label="The tracker tag">{snippet}</code>
              <CopyButton text={snippet} label="Copy the tag" target={() => snippetRef.current} />
            </div>
            {apiKey.origins.length === 0 && (
              <p className="muted small">No website is allowed yet: browsers will refuse to send with this key until you add the site's origin with Edit websites.</p>
            )}
          </>
        )}
      </div>
      <footer className="dialog-foot">
        <button type="button" className="primary" onClick={onClose}>I have copied it</button>
      </footer>
    </Dialog>
  );
}

/** Renames a key; an ingest key's websites are changed here too. The key itself stays the same. */
export function EditKeyDialog({ apiKey, onClose, onSaved }: { apiKey: ApiKey; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState(apiKey.name);
  const [origins, setOrigins] = useState(apiKey.origins.join('\n'));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ingest = apiKey.scope === 'ingest';
  const [tried, setTried] = useState(false);
  const parsed = parseOrigins(origins);
  const invalid = !name.trim() || (ingest && parsed.problems.length > 0);
  return (
    <Dialog title={`Edit "${apiKey.name}"`} onClose={onClose}>
      <form onSubmit={async (e) => {
        e.preventDefault();
        setTried(true);
        if (invalid) return;
        setBusy(true);
        setError(null);
        try {
          await updateKey(apiKey.id, { name: name.trim(), ...(ingest ? { origins: parsed.origins } : {}) });
          onSaved();
        } catch (err) {
          setError((err as Error).message);
          setBusy(false);
        }
      }}>
        <div className="dialog-body">
          <label>Name <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoFocus={!ingest} /></label>
          {ingest && <OriginsInput value={origins} onChange={setOrigins} showProblems={tried} />}
          <p className="muted small">The key itself does not change: whatever uses it keeps working.</p>
        </div>
        {error && <p className="notice error" role="alert">{error}</p>}
        <footer className="dialog-foot">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={!name.trim() || busy}>{busy ? 'Saving…' : 'Save'}</button>
        </footer>
      </form>
    </Dialog>
  );
}
