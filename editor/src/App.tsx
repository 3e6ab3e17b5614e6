import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, forgetToken, hasToken, readToken, UNAUTHORIZED_EVENT } from './lib/api.js';
import { href, useRoute } from './lib/route.js';
import { PAGES } from './pages.js';
import { MeProvider, can, type Me } from './lib/me.js';
import { SignInPage } from './features/people/SignInPage.js';
import { FirstAdminPage } from './features/people/FirstAdminPage.js';
import { AccountMenu } from './features/people/AccountMenu.js';
import { API_REFERENCE, DOCS_BASE } from './lib/docs.js';

type Auth =
  | { readonly state: 'checking' }
  | { readonly state: 'ok'; readonly me: Me }
  | { readonly state: 'sign-in'; readonly notice?: string }
  | { readonly state: 'offline' };

/**
 * The app shell: who the browser acts as (`GET /api/me`: the saved token, a key, or the session
 * cookie), the sign-in and first-admin pages, the navigation, and the page for the current route.
 */
export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });
  const [firstAdmin, setFirstAdmin] = useState(false);
  const route = useRoute();

  const load = useCallback((notice?: string) => {
    const hadToken = !!readToken();
    api<Me>('/me').then(
      (me) => setAuth({ state: 'ok', me }),
      (e: unknown) => {
        if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) return setAuth({ state: 'offline' });
        // A refused token would be sent before the cookie on every request: it goes.
        if (hadToken) {
          forgetToken();
          return setAuth({ state: 'sign-in', notice: `The saved access token was refused (${e.message}). Sign in, or open the link the server printed when it started.` });
        }
        setAuth({ state: 'sign-in', notice: notice ?? (/session has ended/.test(e.message) ? e.message : undefined) });
      },
    );
  }, []);

  useEffect(() => load(), [load]);
  useEffect(() => {
    const ended = () => load('Your session has ended: sign in again');
    window.addEventListener(UNAUTHORIZED_EVENT, ended);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, ended);
  }, [load]);

  if (auth.state === 'checking') return <div className="center muted">Connecting…</div>;
  if (auth.state === 'offline') return <OfflineScreen />;
  if (auth.state === 'sign-in') return <SignInPage notice={auth.notice} onSignedIn={() => load()} />;
  const { me } = auth;
  // The token holder on a server with no people yet is asked for the first admin; until then the
  // editor works with the token as it always has.
  const asksFirstAdmin = me.kind === 'token' && me.needsFirstAdmin;
  if (asksFirstAdmin && firstAdmin) return <FirstAdminPage onDone={() => { setFirstAdmin(false); load(); }} onSkip={() => setFirstAdmin(false)} />;

  const visible = PAGES.filter((p) => !p.role || can(me, p.role));
  const section = route.parts[0] ?? 'maps';
  const page = visible.find((p) => p.section === section) ?? visible[0];
  const Page = page.component;
  return (
    <MeProvider me={me}>
      <div className="app">
        <nav className="nav" aria-label="Main">
          <a className="brand" href={href('/maps')}>Scoremap</a>
          {/* The pages' links take the room the rest leaves, and scroll sideways in a narrow window. */}
          <span className="nav-pages">
            {visible.filter((p) => p.inNav).map((p) => (
              <a key={p.section} href={href(`/${p.section}`)} aria-current={p.section === page.section ? 'page' : undefined}>{p.title}</a>
            ))}
          </span>
          {asksFirstAdmin && <button type="button" className="first-admin-link" aria-label="Create the first admin account" onClick={() => setFirstAdmin(true)}>
            <span className="wide-only">Create the first admin account</span><span className="narrow-only">First admin…</span>
          </button>}
          <a href={DOCS_BASE} target="_blank" rel="noreferrer">Docs</a>
          <a href={API_REFERENCE} target="_blank" rel="noreferrer">API</a>
          <AccountMenu me={me} onSignedOut={() => (hasToken() ? load() : setAuth({ state: 'sign-in' }))} />
        </nav>
        <main className="page">
          <Page route={route} />
        </main>
      </div>
    </MeProvider>
  );
}

/** The server cannot be reached: say so, and offer to try again. */
function OfflineScreen() {
  return (
    <div className="center">
      <div className="card narrow">
        <h1>Scoremap</h1>
        <p>The Scoremap server cannot be reached. Is it still running?</p>
        <button type="button" className="primary" onClick={() => window.location.reload()}>Try again</button>
      </div>
    </div>
  );
}
