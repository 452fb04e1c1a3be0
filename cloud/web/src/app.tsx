import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Role, User } from './api/types';
import { api } from './api/client';
import { clearSession, getToken, setSession, useUser } from './auth';
import { navigate, useRoute, type Route } from './router';
import { ThemeSwitch } from './lectern/ThemeSwitch';
import { AdminPage } from './pages/AdminPage';
import { ChangePasswordPage } from './pages/ChangePasswordPage';
import { AlertsBadge, AlertsPage } from './pages/AlertsPage';
import { AuditPage } from './pages/AuditPage';
import { InstallerPage } from './pages/InstallerPage';
import { LiveRoomPage } from './pages/LiveRoomPage';
import { LoginPage } from './pages/LoginPage';
import { RoomsPage } from './pages/RoomsPage';
import { SessionReportPage } from './pages/SessionReportPage';
import { SessionsPage } from './pages/SessionsPage';
import { UploadsPage } from './pages/UploadsPage';

interface NavItem {
  href: string;
  section: string;
  label: string;
  roles: Role[];
}

/** Pages reached from the user's name in the top bar, not the main navigation (same role check). */
const USER_PAGES: NavItem[] = [
  { href: '/password', section: 'password', label: 'Change password', roles: ['admin', 'speaker', 'installer'] },
];

const NAV: NavItem[] = [
  { href: '/rooms', section: 'rooms', label: 'Rooms', roles: ['admin', 'speaker'] },
  { href: '/sessions', section: 'sessions', label: 'Sessions', roles: ['admin', 'speaker'] },
  { href: '/uploads', section: 'uploads', label: 'Uploads', roles: ['admin', 'speaker'] },
  { href: '/installer', section: 'installer', label: 'Installer', roles: ['admin', 'installer'] },
  { href: '/alerts', section: 'alerts', label: 'Alerts', roles: ['admin', 'installer'] },
  { href: '/admin', section: 'admin', label: 'Admin', roles: ['admin'] },
  { href: '/audit', section: 'audit', label: 'Audit', roles: ['admin'] },
];

export function homeFor(user: User): string {
  return user.role === 'installer' ? '/installer' : '/rooms';
}

function page(route: Route, user: User): ComponentChildren {
  const [section, id] = route.segments;
  switch (section) {
    case 'rooms':
      return id ? <LiveRoomPage roomId={id} /> : <RoomsPage user={user} />;
    case 'sessions':
      return id ? <SessionReportPage sessionId={id} /> : <SessionsPage roomId={route.query.get('roomId')} />;
    case 'uploads':
      return <UploadsPage />;
    case 'admin':
      return <AdminPage />;
    case 'installer':
      return <InstallerPage />;
    case 'password':
      return <ChangePasswordPage />;
    case 'alerts':
      return <AlertsPage segments={route.segments} />;
    case 'audit':
      return <AuditPage />;
    default:
      return null;
  }
}

export function App() {
  const route = useRoute();
  const user = useUser();
  const section = route.segments[0] ?? '';
  const allowed = [...NAV, ...USER_PAGES].find((n) => n.section === section);
  const redirect = !user
    ? section === 'login'
      ? null
      : `/login?next=${encodeURIComponent(route.href)}`
    : section === 'login' || !allowed || !allowed.roles.includes(user.role)
      ? section === 'login'
        ? safeNext(route.query.get('next'), user)
        : homeFor(user)
      : null;

  useEffect(() => {
    if (redirect) navigate(redirect, true);
  }, [redirect]);

  // A token without the cached profile (set by a script, or an older tab) is completed from /api/me.
  useEffect(() => {
    const token = getToken();
    if (user || !token) return;
    api
      .get<User>('/api/me')
      .then((me) => setSession(token, me))
      .catch(() => undefined);
  }, [user]);

  if (!user) return section === 'login' ? <LoginPage /> : null;
  if (redirect) return null;

  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href={`#${homeFor(user)}`} aria-label="Lectern home">
          <span class="brand-mark" aria-hidden="true" />
          Lectern
        </a>
        <nav class="nav" aria-label="Main">
          {NAV.filter((n) => n.roles.includes(user.role)).map((n) => (
            <a
              key={n.href}
              href={`#${n.href}`}
              class={n.section === section ? 'active' : ''}
              aria-current={n.section === section ? 'page' : undefined}
            >
              {n.label}
              {n.section === 'alerts' && <AlertsBadge />}
            </a>
          ))}
        </nav>
        <div class="user">
          {/* The user's own pages (password) open from their name, keeping the top bar short on tablets. */}
          <a
            class="user-name"
            href="#/password"
            title="Change your password"
            data-testid="user-menu"
            aria-current={section === 'password' ? 'page' : undefined}
          >
            {user.username}
            <span class="role">{user.role}</span>
          </a>
          <ThemeSwitch />
          <button type="button" class="btn btn-ghost" onClick={() => logout()}>
            Log out
          </button>
        </div>
      </header>
      <main class="content">{page(route, user)}</main>
    </div>
  );
}

function logout(): void {
  clearSession();
  navigate('/login', true);
}

/** Only in-app hash paths are accepted as a post-login target (no open redirect). */
function safeNext(next: string | null, user: User): string {
  if (next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login')) return next;
  return homeFor(user);
}
