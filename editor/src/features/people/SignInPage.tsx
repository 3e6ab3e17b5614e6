import { useEffect, useState } from 'react';
import { forgetToken } from '../../lib/api.js';
import { anyAccounts, signIn } from './api.js';
import './people.css';

/**
 * The sign-in page (SPEC §12): shown when the browser has neither a token nor a live session.
 * `notice` says why it is shown again (a session that ended, a token refused).
 */
export function SignInPage({ onSignedIn, notice }: { onSignedIn: () => void; notice?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [token, setToken] = useState('');
  const [showToken, setShowToken] = useState(false);
  // A fresh install has nobody to sign in: say so, and open the way in with the token.
  const [fresh, setFresh] = useState(false);
  useEffect(() => {
    let live = true;
    anyAccounts().then((accounts) => {
      if (live && !accounts) {
        setFresh(true);
        setShowToken(true);
      }
    }, () => {});
    return () => {
      live = false;
    };
  }, []);
  return (
    <div className="center">
      <div className="card narrow sign-in">
        <h1>Sign in to Scoremap</h1>
        {notice && <p className="notice">{notice}</p>}
        {fresh && (
          <p className="notice" role="status">
            Nobody has an account yet. Open Scoremap with the link the server printed when it started (it carries the
            start-up token), or paste the token below: you will then create the first admin account.
          </p>
        )}
        <form onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          signIn(email.trim(), password).then(onSignedIn, (err: Error) => {
            setError(err.message);
            setBusy(false);
          });
        }}>
          <label>Email <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus required /></label>
          <label>Password <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required /></label>
          {error && <p className="error" role="alert">{error}</p>}
          <button type="submit" className="primary" disabled={busy || !email.trim() || !password}>{busy ? 'Signing in…' : 'Sign in'}</button>
        </form>
        <p className="muted small">Forgot your password? Ask an admin to set a new one.</p>
        <details className="token-entry" open={showToken} onToggle={(e) => setShowToken((e.target as HTMLDetailsElement).open)}>
          <summary>First start, or a script's token?</summary>
          <p className="muted small">Open Scoremap with the link the server printed when it started: it carries the start-up token. Or paste the token here.</p>
          <form onSubmit={(e) => {
            e.preventDefault();
            forgetToken();
            window.location.search = `?token=${encodeURIComponent(token.trim())}`;
          }}>
            <label>Access token <input value={token} onChange={(e) => setToken(e.target.value)} /></label>
            <button type="submit" disabled={!token.trim()}>Open with the token</button>
          </form>
        </details>
      </div>
    </div>
  );
}
