import { useState } from 'react';
import { forgetToken } from '../../lib/api.js';
import { PASSWORD_MIN, addPerson, signIn } from './api.js';
import './people.css';

/**
 * The first start (SPEC §12): the token holder, while no person exists, creates the first admin;
 * the browser is then signed in as that admin and forgets the token. "Not now" keeps the token.
 */
export function FirstAdminPage({ onDone, onSkip }: { onDone: () => void; onSkip: () => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const problem = password && password.length < PASSWORD_MIN ? `A password has at least ${PASSWORD_MIN} characters` : again && again !== password ? 'The two passwords differ' : null;
  return (
    <div className="center">
      <div className="card narrow sign-in">
        <h1>Create the first admin account</h1>
        <p>You opened Scoremap with the start-up token. Make an account for yourself: you will sign in with it from now on, and add the others on the People page.</p>
        <form onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await addPerson({ name: name.trim(), email: email.trim(), role: 'admin', password });
            forgetToken();
            await signIn(email.trim(), password);
            onDone();
          } catch (err) {
            setError((err as Error).message);
            setBusy(false);
          }
        }}>
          <label>Your name <input autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} autoFocus required /></label>
          <label>Email <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required /></label>
          <label>Password <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required /></label>
          <label>Password again <input type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} required /></label>
          {(error ?? problem) && <p className="error" role="alert">{error ?? problem}</p>}
          <div className="row-actions">
            <button type="submit" className="primary" disabled={busy || !!problem || !name.trim() || !email.trim() || !password || again !== password}>
              {busy ? 'Creating…' : 'Create the admin account'}
            </button>
            <button type="button" className="link" onClick={onSkip}>Not now: go on with the token</button>
          </div>
        </form>
        <p className="muted small">The start-up token keeps working for scripts; this browser forgets it once you are signed in.</p>
      </div>
    </div>
  );
}
