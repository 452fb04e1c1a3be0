import { ForbiddenException } from '@nestjs/common';
import type { AuthUser } from './auth-user';

export function canSeeRoom(user: AuthUser, roomId: string | null): boolean {
  if (user.role === 'admin') return true;
  return roomId !== null && user.roomIds.includes(roomId);
}

export function assertRoomAccess(user: AuthUser, roomId: string | null): void {
  if (!canSeeRoom(user, roomId)) throw new ForbiddenException(`no access to room ${roomId ?? '(none)'}`);
}
