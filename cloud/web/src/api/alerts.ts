import { api } from './client';

import type {
  AlertsList,
  AlertView,
  ConfigStatus,
  DeviceHealthView,
  DeviceHistory,
} from '../../../src/alerts/alert-view';

// The API's answers are typed by the server's own module (dependency-free, compiled here as it is).
export type {
  AlertsList,
  AlertView,
  ConfigStatus,
  DeviceHealthView,
  DeviceHistory,
  HistoryPoint,
  RuleId,
  RuleView,
} from '../../../src/alerts/alert-view';

export const alertsApi = {
  list: () => api.get<AlertsList>('/api/alerts'),
  summary: () => api.get<{ firing: number; acknowledged: number }>('/api/alerts/summary'),
  acknowledge: (id: number) => api.post<AlertView>(`/api/alerts/${id}/ack`),
  fleet: () => api.get<DeviceHealthView[]>('/api/fleet/health'),
  history: (deviceId: string, since: number) =>
    api.get<DeviceHistory>(`/api/devices/${encodeURIComponent(deviceId)}/history?since=${Math.floor(since)}`),
};

/** Where a device's health history lives in the dashboard. */
export function deviceHistoryHref(deviceId: string): string {
  return `#/alerts/device/${encodeURIComponent(deviceId)}`;
}

export function configLabel(c: ConfigStatus): string {
  switch (c.state) {
    case 'none':
      return 'local config';
    case 'applied':
      return `rev ${c.desired} applied`;
    case 'refused':
      return `rev ${c.desired} refused`;
    default:
      return `rev ${c.desired} pending${c.applied !== null ? ` (rev ${c.applied} applied)` : ''}`;
  }
}
