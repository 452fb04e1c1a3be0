import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { canSeeRoom } from '../auth/room-access';
import type { AuthUser } from '../auth/auth-user';
import { BuildingEntity, DeviceEntity, RoomEntity, ScheduleSlotEntity, UserEntity } from '../db/entities';
import type { RoomView } from '../api/contract';
import { LiveService } from '../live/live.service';
import { cloudTimeZone } from '../sessions/schedule';
import { SessionsService } from '../sessions/sessions.service';
import { loadSlots, replaceSlots, toSlotView, type RoomScheduleView, type ScheduleBody } from './room-schedule';
import { slugify } from './slug';

export type { RoomView };

@Injectable()
export class RoomsService {
  constructor(
    private readonly ds: DataSource,
    private readonly live: LiveService,
    private readonly sessions: SessionsService,
  ) {}

  /** Pushes per-room privacy floors into the live view at boot. */
  async load(): Promise<void> {
    for (const r of await this.ds.getRepository(RoomEntity).find()) this.live.setRoomMinGroupSize(r.id, r.minGroupSize);
  }

  async list(user: AuthUser): Promise<RoomView[]> {
    const [rooms, buildings, devices] = await Promise.all([
      this.ds.getRepository(RoomEntity).find({ order: { id: 'ASC' } }),
      this.ds.getRepository(BuildingEntity).find(),
      this.ds.getRepository(DeviceEntity).find({ select: ['id', 'roomId'], order: { id: 'ASC' } }),
    ]);
    const bName = new Map(buildings.map((b) => [b.id, b.name]));
    return rooms
      .filter((r) => canSeeRoom(user, r.id) || user.role === 'installer')
      .map((r) => ({
        id: r.id,
        name: r.name,
        buildingId: r.buildingId,
        buildingName: bName.get(r.buildingId) ?? r.buildingId,
        deviceIds: devices.filter((d) => d.roomId === r.id).map((d) => d.id),
        minGroupSize: this.live.minGroupSize(r.id),
        // Installers manage hardware; they see rooms but no audience data.
        live: canSeeRoom(user, r.id) ? this.live.get(r.id) : null,
      }));
  }

  async get(id: string): Promise<RoomEntity> {
    const room = await this.ds.getRepository(RoomEntity).findOneBy({ id });
    if (!room) throw new NotFoundException(`room ${id} not found`);
    return room;
  }

  exists(id: string): Promise<boolean> {
    return this.ds.getRepository(RoomEntity).existsBy({ id });
  }

  /** Creates a room (and its building by name, if new). `ifExists: 'keep'` makes it idempotent. */
  async create(
    input: { id?: string | undefined; name: string; buildingName: string; minGroupSize?: number | null | undefined },
    ifExists: 'fail' | 'keep' = 'fail',
  ): Promise<RoomEntity> {
    const id = input.id ?? slugify(input.name);
    const repo = this.ds.getRepository(RoomEntity);
    const existing = await repo.findOneBy({ id });
    if (existing) {
      if (ifExists === 'keep') return existing;
      throw new ConflictException(`room ${id} already exists`);
    }
    const buildingId = slugify(input.buildingName);
    const buildings = this.ds.getRepository(BuildingEntity);
    if (!(await buildings.existsBy({ id: buildingId })))
      await buildings.insert({ id: buildingId, name: input.buildingName });
    const room = repo.create({ id, name: input.name, buildingId, minGroupSize: input.minGroupSize ?? null });
    await repo.insert(room);
    this.live.setRoomMinGroupSize(id, room.minGroupSize);
    return room;
  }

  /** Renames a room, moves it to another building (by name, created if new) or changes its privacy floor. */
  async update(
    id: string,
    patch: { name?: string | undefined; buildingName?: string | undefined; minGroupSize?: number | null | undefined },
  ): Promise<{ before: RoomEntity; after: RoomEntity }> {
    const room = await this.get(id);
    const before = { ...room };
    if (patch.name !== undefined) room.name = patch.name;
    if (patch.buildingName !== undefined) {
      const buildingId = slugify(patch.buildingName);
      const buildings = this.ds.getRepository(BuildingEntity);
      if (!(await buildings.existsBy({ id: buildingId })))
        await buildings.insert({ id: buildingId, name: patch.buildingName });
      room.buildingId = buildingId;
    }
    if (patch.minGroupSize !== undefined) room.minGroupSize = patch.minGroupSize;
    await this.ds
      .getRepository(RoomEntity)
      .update({ id }, { name: room.name, buildingId: room.buildingId, minGroupSize: room.minGroupSize });
    this.live.setRoomMinGroupSize(id, room.minGroupSize);
    return { before, after: room };
  }

  /** Device ids in a room. */
  async deviceIds(roomId: string): Promise<string[]> {
    const rows = await this.ds
      .getRepository(DeviceEntity)
      .find({ select: ['id'], where: { roomId }, order: { id: 'ASC' } });
    return rows.map((d) => d.id);
  }

  /**
   * Deletes an empty room: its timetable and every user's access to it go with it; sessions and reports
   * recorded in it stay (admins still find them). A room with devices or a running session is refused.
   */
  async remove(id: string): Promise<RoomEntity> {
    const room = await this.get(id);
    const devices = await this.deviceIds(id);
    if (devices.length > 0)
      throw new ConflictException(
        `Room ${id} still has ${devices.length === 1 ? 'a device' : `${devices.length} devices`} (${devices.join(', ')}): move ${devices.length === 1 ? 'it' : 'them'} to another room or delete ${devices.length === 1 ? 'it' : 'them'} first, or delete the room with moveDevicesTo=<room id>.`,
      );
    this.assertNoRunningSession(id);
    await this.ds.transaction(async (em) => {
      await em.getRepository(ScheduleSlotEntity).delete({ roomId: id });
      for (const u of await em.getRepository(UserEntity).find()) {
        if (u.roomIds.includes(id))
          await em.getRepository(UserEntity).update({ id: u.id }, { roomIds: u.roomIds.filter((r) => r !== id) });
      }
      await em.getRepository(RoomEntity).delete({ id });
    });
    this.live.setRoomMinGroupSize(id, null);
    return room;
  }

  /** Refuses (409, with what to do) while a session runs in the room. */
  assertNoRunningSession(id: string): void {
    const running = this.sessions.activeFor(id);
    if (running)
      throw new ConflictException(
        `A session is running in room ${id} ("${running.title}"): stop it first, then delete the room.`,
      );
  }

  async schedule(roomId: string): Promise<RoomScheduleView> {
    await this.get(roomId);
    const slots = await loadSlots(this.ds, roomId);
    return { roomId, defaultTimeZone: cloudTimeZone(), slots: slots.map(toSlotView) };
  }

  async setSchedule(roomId: string, body: ScheduleBody): Promise<RoomScheduleView> {
    await this.get(roomId);
    await replaceSlots(this.ds, roomId, body);
    return this.schedule(roomId);
  }
}
