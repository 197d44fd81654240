// The console's shell: session, navigation by role, language and theme switches, routing under /console/.
import './styles.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentSession, onSession, resume, Session, signIn, signOut } from './api';
import { currentLang, errorText, onLang, setLang, t } from './i18n';
import { Link, navigate, usePath } from './router';
import { bind, Field, onSubmit } from './ui';
import { Dashboard } from './pages/dashboard';
import { Keys } from './pages/keys';
import { Usage, Invoices, Redeem } from './pages/billing';
import { Playground } from './pages/playground';
import { ClientSettings } from './pages/clients';
import { SupplyOverview, SupplyAccounts, SupplyPackages, SupplyPayouts } from './pages/supply';
import { AdminStats, AdminUsers, AdminRequests, AdminAudit } from './pages/admin-people';
import { AdminProviders, AdminPrices, AdminRisk, AdminPayouts, AdminSuppliers } from './pages/admin-platform';

interface Route { path: string; label: string; view: () => preact.JSX.Element; roles?: string[] }

const CONSUMER: Route[] = [
  { path: '/console/', label: 'Dashboard', view: Dashboard },
  { path: '/console/keys', label: 'API keys', view: Keys },
  { path: '/console/usage', label: 'Usage', view: Usage },
  { path: '/console/invoices', label: 'Invoices', view: Invoices },
  { path: '/console/redeem', label: 'Redeem a code', view: Redeem },
  { path: '/console/playground', label: 'Playground', view: Playground },
  { path: '/console/clients', label: 'Client settings', view: ClientSettings },
];
const SUPPLIER: Route[] = [
  { path: '/console/supply', label: 'Earnings', view: SupplyOverview, roles: ['supplier'] },
  { path: '/console/supply/accounts', label: 'Upstream accounts', view: SupplyAccounts, roles: ['supplier'] },
  { path: '/console/supply/packages', label: 'Packages', view: SupplyPackages, roles: ['supplier'] },
  { path: '/console/supply/payouts', label: 'Statements & payouts', view: SupplyPayouts, roles: ['supplier'] },
];
const OPERATOR: Route[] = [
  { path: '/console/admin', label: 'System', view: AdminStats, roles: ['admin'] },
  { path: '/console/admin/users', label: 'Users & tenants', view: AdminUsers, roles: ['admin'] },
  { path: '/console/admin/providers', label: 'Providers', view: AdminProviders, roles: ['admin'] },
  { path: '/console/admin/prices', label: 'Prices', view: AdminPrices, roles: ['admin'] },
  { path: '/console/admin/risk', label: 'Risk reviews', view: AdminRisk, roles: ['admin'] },
  { path: '/console/admin/suppliers', label: 'Suppliers', view: AdminSuppliers, roles: ['admin'] },
  { path: '/console/admin/payouts', label: 'Payouts', view: AdminPayouts, roles: ['admin'] },
  { path: '/console/admin/audit', label: 'Audit log', view: AdminAudit, roles: ['admin'] },
  { path: '/console/admin/requests', label: 'Request lookup', view: AdminRequests, roles: ['admin'] },
];
const GROUPS: [string, Route[]][] = [['Consumer', CONSUMER], ['Supplier', SUPPLIER], ['Operator', OPERATOR]];

function allowed(r: Route, s: Session) {
  return !r.roles || r.roles.includes(s.role);
}

function useRerenderOnLang() {
  const [, set] = useState(0);
  useEffect(() => onLang(() => set((n) => n + 1)), []);
}

function theme(): string {
  return localStorage.getItem('ljq.theme') || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}

function applyTheme(v: string) {
  document.documentElement.dataset.theme = v;
}

function Toggles() {
  const [th, setTh] = useState(theme());
  const flip = () => {
    const next = th === 'dark' ? 'light' : 'dark';
    localStorage.setItem('ljq.theme', next);
    applyTheme(next);
    setTh(next);
  };
  return (
    <div class="toggles">
      <button type="button" class="ghost" onClick={() => setLang(currentLang() === 'zh' ? 'en' : 'zh')}
        lang={currentLang() === 'zh' ? 'en' : 'zh'} title={t('Switch language')} data-testid="lang-toggle">
        {currentLang() === 'zh' ? 'English' : '中文'}</button>
      <button type="button" class="ghost" onClick={flip} aria-pressed={th === 'dark'} data-testid="theme-toggle">
        {th === 'dark' ? t('Light') : t('Dark')}
      </button>
    </div>
  );
}

function SignIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin" id="main">
      <div class="signin-box card">
        <div class="brand big"><img src="/console/icons/icon.svg" alt="" width={40} height={40} /> <span>立交桥 Lijiaoqiao</span></div>
        <h1>{t('Sign in')}</h1>
        <form onSubmit={onSubmit(submit)} class="stack">
          <Field label={t('E-mail')}>
            <input type="email" name="email" autoComplete="username" required value={email} onInput={bind(setEmail)} />
          </Field>
          <Field label={t('Password')}>
            <input type="password" name="password" autoComplete="current-password" required value={password}
              onInput={bind(setPassword)} />
          </Field>
          {error && <p class="notice error" role="alert">{errorText(error)}</p>}
          <button type="submit" disabled={busy}>{busy ? t('Signing in…') : t('Sign in')}</button>
        </form>
        <Toggles />
      </div>
    </main>
  );
}

function Shell(props: { session: Session }) {
  const path = usePath();
  const [menuOpen, setMenuOpen] = useState(false);
  const s = props.session;
  const routes = GROUPS.flatMap(([, rs]) => rs).filter((r) => allowed(r, s));
  const normalized = path.length > 9 && path.endsWith('/') ? path.slice(0, -1) : path;
  const route = routes.find((r) => r.path === normalized) || (normalized === '/console' ? routes[0] : undefined);
  useEffect(() => {
    setMenuOpen(false);
    document.getElementById('page-title')?.focus();
  }, [path]);
  const View = route ? route.view : NotFound;
  return (
    <div class={'shell' + (menuOpen ? ' menu-open' : '')}>
      <a href="#main" class="skip">{t('Skip to content')}</a>
      <header class="topbar">
        <button type="button" class="ghost menu-button" aria-expanded={menuOpen} aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)} data-testid="menu">{t('Menu')}</button>
        <Link href="/console/" class="brand"><img src="/console/icons/icon.svg" alt="" width={28} height={28} /> <span>立交桥</span></Link>
        <span class="who" data-testid="who">{t(s.role)} · #{s.userId}</span>
        <Toggles />
        <button type="button" class="ghost" onClick={() => signOut().then(() => navigate('/console/'))}
          data-testid="sign-out">{t('Sign out')}</button>
      </header>
      <nav id="nav" class="nav" aria-label={t('Main')}>
        {GROUPS.map(([group, rs]) => {
          const visible = rs.filter((r) => allowed(r, s));
          if (visible.length === 0) return null;
          return (
            <div class="nav-group">
              <h2>{t(group)}</h2>
              <ul>
                {visible.map((r) => (
                  <li><Link href={r.path} current={route === r}>{t(r.label)}</Link></li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <main id="main" class="content"><View /></main>
    </div>
  );
}

function NotFound() {
  return (
    <section class="page">
      <h1 id="page-title" tabIndex={-1}>{t('Page not found')}</h1>
      <p><Link href="/console/">{t('Back to the dashboard')}</Link></p>
    </section>
  );
}

function App() {
  const [session, setSession] = useState<Session | null>(currentSession());
  const [ready, setReady] = useState(false);
  useRerenderOnLang();
  useEffect(() => {
    const off = onSession(setSession);
    resume().finally(() => setReady(true));
    return off;
  }, []);
  if (!ready) return <p class="muted boot" role="status">{t('Loading…')}</p>;
  return session ? <Shell session={session} /> : <SignIn />;
}

applyTheme(theme());
render(<App />, document.getElementById('app')!);

if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker.register('/console/sw.js', { scope: '/console/' }).catch(() => { /* offline shell is optional */ });
}
