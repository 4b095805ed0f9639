import '@fontsource/noto-sans-bengali/400.css';
import '@fontsource/noto-sans-bengali/700.css';
import './styles.css';
import { StrictMode, useCallback, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { BrowserRouter, NavLink, Navigate, Route, Routes } from 'react-router';
import { makeCall } from './api';
import { CallContext, SettingsContext, useCall, type Session, type Settings } from './session';
import { SignIn } from './pages/SignIn';
import { Campaigns } from './pages/Campaigns';
import { CampaignPage } from './pages/CampaignPage';
import { Approvals } from './pages/Approvals';
import { Customers } from './pages/Customers';
import { Prompts } from './pages/Prompts';
import { CoachNova } from './pages/CoachNova';
import { Schedules } from './pages/Schedules';

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } });

const NAV = [
  ['/campaigns', 'Campaigns'],
  ['/approvals', 'Approvals'],
  ['/customers', 'Customers'],
  ['/prompts', 'Prompts'],
  ['/coachnova', 'CoachNova'],
  ['/schedules', 'Schedules'],
] as const;

/**
 * The operator's token lives in this component's memory only: never in storage a script could
 * read later, never in a cookie (so no CSRF surface on the API). A reload asks to sign in again;
 * the session ends at the token's expiry, on a 401, or on sign-out.
 */
function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const signOut = useCallback((why: string | null) => {
    setSession(null);
    setNotice(why);
    queryClient.clear();
  }, []);
  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(() => signOut('Your session expired. Sign in again.'), Math.max(0, session.expiresAt - Date.now()));
    return () => clearTimeout(timer);
  }, [session, signOut]);
  const call = useMemo(() => makeCall(session?.token ?? null, () => signOut('Your session ended. Sign in again.')), [session, signOut]);

  if (!session) {
    return (
      <CallContext.Provider value={call}>
        <SignIn notice={notice} onSignedIn={(s) => { setNotice(null); setSession(s); }} />
      </CallContext.Provider>
    );
  }
  return (
    <CallContext.Provider value={call}>
      <Shell session={session} onSignOut={() => signOut('You signed out.')} />
    </CallContext.Provider>
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const call = useCall();
  const settings = useQuery({ queryKey: ['settings'], queryFn: () => call<Settings>('/internal/console/settings'), staleTime: Infinity });
  return (
    <SettingsContext.Provider value={settings.data ?? null}>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <span className="brand">ShoktiAI console</span>
        <nav aria-label="Console pages">
          <ul>
            {NAV.map(([to, label]) => (
              <li key={to}>
                <NavLink to={to}>{label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who">
          {session.email}{' '}
          <button type="button" onClick={onSignOut}>Sign out</button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/" element={<Navigate to="/campaigns" replace />} />
          <Route path="/campaigns" element={<Campaigns />} />
          <Route path="/campaigns/:id" element={<CampaignPage />} />
          <Route path="/approvals" element={<Approvals />} />
          <Route path="/customers" element={<Customers />} />
          <Route path="/customers/:id" element={<Customers />} />
          <Route path="/prompts" element={<Prompts />} />
          <Route path="/coachnova" element={<CoachNova />} />
          <Route path="/coachnova/:id" element={<CoachNova />} />
          <Route path="/schedules" element={<Schedules />} />
          <Route path="*" element={<p>No such page.</p>} />
        </Routes>
      </main>
    </SettingsContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter basename="/console">
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
