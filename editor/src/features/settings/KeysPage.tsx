import { useState } from 'react';
import { ConfirmDialog } from '../../lib/Dialog.js';
import { useLoad } from '../../lib/use-load.js';
import { useServerNow } from '../../lib/use-server-now.js';
import { formatDate, formatTime } from '../charts/format.js';
import { isMissingEndpoint } from '../scoring/api.js';
import { listKeys, revokeKey, type ApiKey } from './api.js';
import { EditKeyDialog, NewKeyDialog, SecretDialog } from './KeyDialogs.js';
import { TrackerSnippet } from './TrackerSnippet.js';
import { lastUsedWords, scopeWords } from './words.js';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

type Modal =
  | { kind: 'new' }
  | { kind: 'secret'; key: ApiKey; secret: string }
  | { kind: 'edit'; key: ApiKey }
  | { kind: 'revoke'; key: ApiKey }
  | null;

const SCOPE_TONE = { admin: 'danger', read: 'info', ingest: 'ok' } as const;

/** `#/settings/keys`: the API keys, with New key, edit and revoke (SPEC §10 "Keys"). */
export function KeysPage() {
  const keys = useLoad(() => listKeys().catch((e) => {
    if (isMissingEndpoint(e)) return null;
    throw e;
  }), []);
  const now = useServerNow();
  const [modal, setModal] = useState<Modal>(null);
  const list = keys.data ?? [];
  return (
    <section className="page-body">
      <header className="page-head">
        <h1>API keys</h1>
        <HelpLink page={DOCS.keys} />
        <span className="sub">Keys let other systems and your website talk to Scoremap; each can do only what its scope allows.</span>
        <div className="actions">
          <button type="button" className="primary" onClick={() => setModal({ kind: 'new' })} disabled={keys.data === null}>New key</button>
        </div>
      </header>
      {keys.error && <p className="notice error" role="alert">The keys could not be loaded: {keys.error} <button type="button" className="link" onClick={keys.reload}>Try again</button></p>}
      {keys.loading && !keys.data && <p className="loading">Loading keys…</p>}
      {keys.data === null && <p className="notice">This server does not offer API keys yet (no <code>/api/keys</code>). Update Scoremap to manage them here.</p>}
      {keys.data && !list.length && (
        <div className="empty">
          <strong>No API keys yet</strong>
          Make an <b>ingest</b> key to send events from your website or a Segment-compatible source, a <b>read</b> key for a dashboard.
          <div className="actions"><button type="button" className="primary" onClick={() => setModal({ kind: 'new' })}>New key</button></div>
        </div>
      )}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="data keys">
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">Scope</th><th scope="col">Key</th>
                <th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {list.map((k) => (
                <tr key={k.id}>
                  <td>
                    <b>{k.name}</b>
                    {k.scope === 'ingest' && (
                      <div className="muted small">
                        {k.origins.length ? <>Websites: {k.origins.join(', ')}</> : 'No website may use it from a browser yet'}
                      </div>
                    )}
                  </td>
                  <td className="scope-cell">
                    <span className={`badge ${SCOPE_TONE[k.scope]}`}>{k.scope}</span>
                    <div className="muted small">{scopeWords(k.scope).can}</div>
                  </td>
                  <td><code className="key-prefix" title="The first characters of the key: the rest is never shown again">{k.prefix}…</code></td>
                  <td className="nowrap" title={formatTime(k.createdAt)}>{formatDate(k.createdAt)}</td>
                  <td className="nowrap" title={k.lastUsedAt ? formatTime(k.lastUsedAt) : 'This key has not been used yet'}>{lastUsedWords(k.lastUsedAt, now)}</td>
                  <td className="actions">
                    <button type="button" onClick={() => setModal({ kind: 'edit', key: k })} aria-label={`Edit ${k.name}`}>{k.scope === 'ingest' ? 'Edit websites' : 'Rename'}</button>{' '}
                    <button type="button" className="danger" onClick={() => setModal({ kind: 'revoke', key: k })} aria-label={`Revoke ${k.name}`}>Revoke</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.some((k) => k.scope === 'ingest') && <TrackerSnippet ingestKeys={list.filter((k) => k.scope === 'ingest')} />}
      <p className="muted small help-line">
        Scoremap keeps only a fingerprint of each key, so a lost key cannot be shown again: make a new one and revoke the old one.
        Every request sends it as <code>Authorization: Bearer &lt;key&gt;</code>; a key used outside its scope is refused with 403.
      </p>

      {modal?.kind === 'new' && (
        <NewKeyDialog onClose={() => setModal(null)} onCreated={(key, secret) => { keys.reload(); setModal({ kind: 'secret', key, secret }); }} />
      )}
      {modal?.kind === 'secret' && <SecretDialog apiKey={modal.key} secret={modal.secret} onClose={() => setModal(null)} />}
      {modal?.kind === 'edit' && <EditKeyDialog apiKey={modal.key} onClose={() => setModal(null)} onSaved={() => { setModal(null); keys.reload(); }} />}
      {modal?.kind === 'revoke' && <RevokeDialog apiKey={modal.key} onClose={() => setModal(null)} onRevoked={() => { setModal(null); keys.reload(); }} />}
    </section>
  );
}

/** Revoking takes effect at once: said before, with who will be refused. */
function RevokeDialog({ apiKey, onClose, onRevoked }: { apiKey: ApiKey; onClose: () => void; onRevoked: () => void }) {
  return (
    <ConfirmDialog
      title={`Revoke "${apiKey.name}"?`}
      message={<p>Every request with this key is refused from now on{apiKey.scope === 'ingest' ? ', including the tracker on the websites that carry it' : ''}. This cannot be undone: to use the API again, make a new key and put it where this one was.</p>}
      confirm="Revoke key"
      onClose={onClose}
      onConfirm={async () => {
        await revokeKey(apiKey.id);
        onRevoked();
      }}
    />
  );
}
