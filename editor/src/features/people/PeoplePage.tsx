import { useState } from 'react';
import { ConfirmDialog, Dialog } from '../../lib/Dialog.js';
import { ROLES, ROLE_WORDS, useMe, type Role } from '../../lib/me.js';
import { useLoad } from '../../lib/use-load.js';
import { formatDate, formatTime } from '../charts/format.js';
import { PASSWORD_MIN, addPerson, changePerson, listPeople, removePerson, resetPassword, type PersonRow } from './api.js';
import './people.css';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

type Modal = { kind: 'add' } | { kind: 'password'; person: PersonRow } | { kind: 'remove'; person: PersonRow } | null;

const ROLE_TONE: Readonly<Record<Role, string>> = { admin: 'danger', editor: 'info', sales: 'ok', viewer: 'draft' };

/** `#/settings/people` (admins): the people who sign in, their roles, and adding, changing, resetting and removing them (SPEC §12). */
export function PeoplePage() {
  const me = useMe();
  const people = useLoad(listPeople, []);
  const [modal, setModal] = useState<Modal>(null);
  const [error, setError] = useState<string | null>(null);
  const list = people.data ?? [];
  return (
    <section className="page-body people-page">
      <header className="page-head">
        <h1>People</h1>
        <HelpLink page={DOCS.people} />
        <span className="sub">Everyone who signs in, and what their role lets them do.</span>
        <div className="actions"><button type="button" className="primary" onClick={() => setModal({ kind: 'add' })}>Add a person</button></div>
      </header>
      {people.error && <p className="notice error" role="alert">The people could not be loaded: {people.error} <button type="button" className="link" onClick={people.reload}>Try again</button></p>}
      {error && <p className="notice error" role="alert">{error}</p>}
      {people.loading && !people.data && <p className="loading">Loading people…</p>}
      {people.data && !list.length && (
        <div className="empty">
          <strong>No one signs in yet</strong>
          Add yourself as the first admin, then the people you work with.
        </div>
      )}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="data people">
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Added</th><th scope="col">Last seen</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.id}>
                  <td><b>{p.name}</b>{me?.person?.id === p.id && <span className="muted small"> (you)</span>}</td>
                  <td>{p.email}</td>
                  <td>
                    <label className="sr-only" htmlFor={`role-${p.id}`}>Role of {p.name}</label>
                    <select id={`role-${p.id}`} value={p.role} className={`role-select ${ROLE_TONE[p.role]}`} onChange={(e) => {
                      setError(null);
                      changePerson(p.id, { role: e.target.value as Role }).then(people.reload, (err: Error) => setError(err.message));
                    }}>
                      {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                    </select>
                  </td>
                  <td className="nowrap" title={formatTime(Date.parse(p.createdAt))}>{formatDate(Date.parse(p.createdAt))}</td>
                  <td className="nowrap">{p.lastSeenAt ? <span title={formatTime(Date.parse(p.lastSeenAt))}>{formatDate(Date.parse(p.lastSeenAt))}</span> : <span className="muted">not signed in</span>}</td>
                  <td className="actions">
                    <button type="button" onClick={() => setModal({ kind: 'password', person: p })} aria-label={`Reset the password of ${p.name}`}>Reset password</button>{' '}
                    <button type="button" className="danger" onClick={() => setModal({ kind: 'remove', person: p })} aria-label={`Remove ${p.name}`}>Remove</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <dl className="kv role-words">
        {ROLES.map((r) => <div key={r} className="role-line"><dt><span className={`badge ${ROLE_TONE[r]}`}>{r}</span></dt><dd>{ROLE_WORDS[r]}</dd></div>)}
      </dl>
      {modal?.kind === 'add' && <AddPersonDialog onClose={() => setModal(null)} onAdded={() => { setModal(null); people.reload(); }} />}
      {modal?.kind === 'password' && <ResetPasswordDialog person={modal.person} onClose={() => { setModal(null); people.reload(); }} />}
      {modal?.kind === 'remove' && (
        <ConfirmDialog
          title={`Remove ${modal.person.name}?`}
          message={<>They can no longer sign in, and their sessions end now. Contacts they own keep <code>{modal.person.email}</code> as owner.</>}
          confirm="Remove"
          onConfirm={async () => {
            await removePerson(modal.person.id);
            setModal(null);
            people.reload();
          }}
          onClose={() => setModal(null)}
        />
      )}
    </section>
  );
}

function AddPersonDialog({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('sales');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const short = password && password.length < PASSWORD_MIN ? `A password has at least ${PASSWORD_MIN} characters` : null;
  return (
    <Dialog title="Add a person" onClose={onClose}>
      <form onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        addPerson({ name: name.trim(), email: email.trim(), role, password }).then(onAdded, (err: Error) => {
          setError(err.message);
          setBusy(false);
        });
      }}>
        <div className="dialog-body">
          <label>Name <input value={name} onChange={(e) => setName(e.target.value)} autoFocus required /></label>
          <label>Email <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required /></label>
          <label>Role
            <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => <option key={r} value={r}>{r}: {ROLE_WORDS[r]}</option>)}
            </select>
          </label>
          <label>Password <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required /></label>
          <p className="muted small">Give them this password in person or by a channel you trust; they can change it from the menu under their name.</p>
          {(error ?? short) && <p className="error" role="alert">{error ?? short}</p>}
        </div>
        <footer className="dialog-foot">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy || !!short || !name.trim() || !email.trim() || !password}>{busy ? 'Adding…' : 'Add'}</button>
        </footer>
      </form>
    </Dialog>
  );
}

function ResetPasswordDialog({ person, onClose }: { person: PersonRow; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const short = password && password.length < PASSWORD_MIN ? `A password has at least ${PASSWORD_MIN} characters` : null;
  return (
    <Dialog title={`Reset the password of ${person.name}`} onClose={onClose}>
      {done ? (
        <>
          <div className="dialog-body"><p>{person.name}'s password is set, and their sessions have ended: they sign in again with the new one.</p></div>
          <footer className="dialog-foot"><button type="button" className="primary" onClick={onClose} autoFocus>Done</button></footer>
        </>
      ) : (
        <form onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          resetPassword(person.id, password).then(() => setDone(true), (err: Error) => setError(err.message));
        }}>
          <div className="dialog-body">
            <label>New password <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus /></label>
            <p className="muted small">Their sessions end at once.</p>
            {(error ?? short) && <p className="error" role="alert">{error ?? short}</p>}
          </div>
          <footer className="dialog-foot">
            <button type="button" onClick={onClose}>Cancel</button>
            <button type="submit" className="primary" disabled={!password || !!short}>Set password</button>
          </footer>
        </form>
      )}
    </Dialog>
  );
}
