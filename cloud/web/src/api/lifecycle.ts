// Lifecycle calls (issue 14 parts 1 and 5): rename / move / re-key / delete devices, rooms and users, password
// changes and resets, and the public addresses the cloud hands out.
import { api } from './client';
import type { Device, DeviceCreated, Role, Room, User } from './types';

/** A user as the lifecycle API returns it: `mustChangePassword` while their password is a generated one. */
export interface LifecycleUser extends User {
  mustChangePassword?: boolean;
}

/** A device with the label people gave it (null: none). */
export type NamedDevice = Device & { name?: string | null };

export interface PublicEndpoints {
  mqttUrls: string[];
  webUrl: string | null;
  localMode: boolean;
  /** Why no device config can be handed out (a sentence naming the setting); null when it can. */
  problem: string | null;
}

/** What a new or re-keyed device gets; the QR code holds the install page, never the password. */
export interface IssuedCredentials extends Omit<DeviceCreated, 'qrPng'> {
  mqttUrls: string[];
  installUrl: string | null;
  qrPng: string | null;
}

export interface BrokerAccess {
  broker: 'revoked' | 'external';
  note: string | null;
}

const enc = encodeURIComponent;

export const lifecycle = {
  endpoints: () => api.get<PublicEndpoints>('/api/devices/endpoints'),
  createDevice: (id: string, roomId: string) => api.post<IssuedCredentials>('/api/devices', { id, roomId }),
  updateDevice: (id: string, patch: { name?: string | null; roomId?: string }) =>
    api.patch<NamedDevice>(`/api/devices/${enc(id)}`, patch),
  rotateDevice: (id: string) => api.post<IssuedCredentials & BrokerAccess>(`/api/devices/${enc(id)}/credentials`),
  deleteDevice: (id: string) => api.del<{ device: NamedDevice } & BrokerAccess>(`/api/devices/${enc(id)}`),

  updateRoom: (id: string, patch: { name?: string; buildingName?: string }) =>
    api.patch<Room>(`/api/rooms/${enc(id)}`, patch),
  deleteRoom: (id: string, moveDevicesTo?: string) =>
    api.del<{ id: string; movedDevices: string[] }>(
      `/api/rooms/${enc(id)}${moveDevicesTo ? `?moveDevicesTo=${enc(moveDevicesTo)}` : ''}`,
    ),

  updateUser: (id: string, patch: { username?: string; role?: Role; roomIds?: string[] }) =>
    api.patch<LifecycleUser>(`/api/users/${enc(id)}`, patch),
  deleteUser: (id: string) => api.del<LifecycleUser>(`/api/users/${enc(id)}`),
  resetPassword: (id: string) =>
    api.post<{ user: LifecycleUser; password: string }>(`/api/users/${enc(id)}/reset-password`),
  /** `token`: the session to change it for (a login that still must change its password is not stored yet). */
  changePassword: (currentPassword: string, newPassword: string, token?: string) =>
    api.postAs<{ token: string; user: LifecycleUser }>(token, '/api/auth/password', { currentPassword, newPassword }),
};
