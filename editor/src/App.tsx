import { useEffect, useState } from 'react';
import { api, ApiError, forgetToken, readToken } from './lib/api.js';
import { href, useRoute } from './lib/route.js';
import { PAGES } from './pages.js';
import { can, MeProvider, type Me } from './lib/me.js';

type Auth = 'checking' | 'ok' | 'missing' | 'wrong' | 'offline';

/** The app shell: token check, navigation, and the page for the current route. */
export function App() {
  const [auth, setAuth] = useState<Auth>('checking');
  const [me, setMe] = useState<Me | null>(null);
  const route = useRoute();

  useEffect(() => {
    if (!readToken()) return setAuth('missing');
    api<Me>('/me').then(
      (who) => {
        setMe(who);
        setAuth('ok');
      },
      (e: unknown) => setAuth(e instanceof ApiError && e.status === 401 ? 'wrong' : 'offline'),
    );
  }, []);

  if (auth === 'checking') return <div className="center muted">Connecting…</div>;
  if (auth !== 'ok' || !me) return <TokenScreen reason={auth} />;

  const section = route.parts[0] ?? 'maps';
  const page = PAGES.find((p) => p.section === section) ?? PAGES[0];
  const Page = page.component;
  return (
    <MeProvider me={me}>
    <div className="app">
      <nav className="nav" aria-label="Main">
        <a className="brand" href={href('/maps')}>Scoremap</a>
        {PAGES.filter((p) => p.inNav && can(me, p.role ?? 'viewer')).map((p) => (
          <a key={p.section} href={href(`/${p.section}`)} aria-current={p.section === page.section ? 'page' : undefined}>{p.title}</a>
        ))}
        <span className="spacer" />
        <a href="/docs" target="_blank" rel="noreferrer">API</a>
      </nav>
      <main className="page">
        <Page route={route} />
      </main>
    </div>
    </MeProvider>
  );
}

/** What to do without a valid token, in words. */
function TokenScreen({ reason }: { reason: Auth }) {
  const [value, setValue] = useState('');
  const text = {
    missing: 'Open Scoremap with the link the server printed when it started: it carries the access token.',
    wrong: 'The saved access token was refused. Open the link the server printed when it started, or paste the token.',
    offline: 'The Scoremap server cannot be reached. Is it still running?',
  }[reason as 'missing' | 'wrong' | 'offline'];
  return (
    <div className="center">
      <div className="card narrow">
        <h1>Scoremap</h1>
        <p>{text}</p>
        {reason !== 'offline' && (
          <form onSubmit={(e) => {
            e.preventDefault();
            forgetToken();
            window.location.search = `?token=${encodeURIComponent(value.trim())}`;
          }}>
            <label>Access token <input value={value} onChange={(e) => setValue(e.target.value)} autoFocus /></label>
            <button type="submit" className="primary" disabled={!value.trim()}>Open</button>
          </form>
        )}
      </div>
    </div>
  );
}
