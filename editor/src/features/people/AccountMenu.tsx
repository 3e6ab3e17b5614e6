import { useState } from 'react';
import { Dialog } from '../../lib/Dialog.js';
import { forgetToken } from '../../lib/api.js';
import { meLabel, type Me } from '../../lib/me.js';
import { PASSWORD_MIN, changeOwnPassword, signOut } from './api.js';
import './people.css';

/** Who I am in the navigation, with sign-out and my own password (a person), or "Forget token" (the token). */
export function AccountMenu({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState(false);
  return (
    <span className="account">
      <button type="button" className="account-button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}
        title={me.person ? `${me.person.email}, ${me.role}` : undefined}>
        {meLabel(me)}{me.role && <span className="role-tag">{me.role}</span>}
      </button>
      {open && (
        <div className="account-menu" role="menu" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          {me.person && <div className="muted small who">{me.person.email}</div>}
          {me.person && <button type="button" role="menuitem" onClick={() => { setOpen(false); setPassword(true); }}>Change my password</button>}
          {me.person ? (
            <button type="button" role="menuitem" onClick={() => signOut().finally(onSignedOut)}>Sign out</button>
          ) : (
            <button type="button" role="menuitem" onClick={() => { forgetToken(); onSignedOut(); }}>Forget the token in this browser</button>
          )}
        </div>
      )}
      {password && <PasswordDialog onClose={() => setPassword(false)} />}
    </span>
  );
}

function PasswordDialog({ onClose }: { onClose: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const short = next && next.length < PASSWORD_MIN ? `A password has at least ${PASSWORD_MIN} characters` : null;
  return (
    <Dialog title="Change my password" onClose={onClose}>
      {done ? (
        <>
          <div className="dialog-body"><p>Your password is changed. Your other sessions have ended; this one goes on.</p></div>
          <footer className="dialog-foot"><button type="button" className="primary" onClick={onClose} autoFocus>Done</button></footer>
        </>
      ) : (
        <form onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          changeOwnPassword(current, next).then(() => setDone(true), (err: Error) => setError(err.message));
        }}>
          <div className="dialog-body">
            <label>Current password <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} autoFocus /></label>
            <label>New password <input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} /></label>
            {(error ?? short) && <p className="error" role="alert">{error ?? short}</p>}
          </div>
          <footer className="dialog-foot">
            <button type="button" onClick={onClose}>Cancel</button>
            <button type="submit" className="primary" disabled={!current || !next || !!short}>Change password</button>
          </footer>
        </form>
      )}
    </Dialog>
  );
}
