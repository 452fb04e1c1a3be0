/** Minimal typed client for the cloud's REST API as a user (or the installer CLI) calls it. */
export class ApiClient {
  private token: string | null = null;
  constructor(readonly baseUrl: string) {}

  async login(username: string, password: string): Promise<void> {
    const res = await this.request<{ token: string }>('POST', '/api/auth/login', { username, password });
    this.token = res.token;
  }

  get bearer(): string {
    if (!this.token) throw new Error('not logged in');
    return this.token;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.raw(method, path, body);
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  raw(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
}
