// One audit log entry as GET /api/audit answers it, written once for the server and the dashboard.
// No Nest or TypeORM imports: cloud/web compiles this file as it is.

export interface AuditView {
  id: number;
  ts: number;
  username: string;
  action: string;
  target: string;
  /** The action's details as recorded (parsed JSON); null when none. */
  detail: unknown;
}
