import { useEffect, useState } from 'preact/hooks';
import type { User } from './api/types';

const TOKEN_KEY = 'lectern.token';
const USER_KEY = 'lectern.user';

type Listener = () => void;
const listeners = new Set<Listener>();

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function getUser(): User | null {
  const raw = localStorage.getItem(USER_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as User;
  } catch {
    return null;
  }
}

export function setSession(token: string, user: User): void {
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(USER_KEY, JSON.stringify(user));
  listeners.forEach((l) => l());
}

export function clearSession(): void {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(USER_KEY);
  listeners.forEach((l) => l());
}

/** Re-renders when the user logs in or out (in this tab or another one). */
export function useUser(): User | null {
  const [user, setUser] = useState(() => (getToken() ? getUser() : null));
  useEffect(() => {
    const update = () => setUser(getToken() ? getUser() : null);
    listeners.add(update);
    window.addEventListener('storage', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('storage', update);
    };
  }, []);
  return user;
}
