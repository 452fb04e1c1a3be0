import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { assertRoomAccess } from '../auth/room-access';
import { parseOr400 } from '../common/zod-body';
import { DevicesService } from '../devices/devices.service';
import { AuditService } from '../ops/audit.service';
import { scheduleBody, type RoomScheduleView } from './room-schedule';
import { RoomsService, type RoomView } from './rooms.service';
import { SLUG_RE } from './slug';

const createRoomBody = z.object({
  id: z.string().regex(SLUG_RE, 'must be a lowercase slug (a-z, 0-9, "-", "_")').optional(),
  name: z.string().min(1).max(200),
  buildingName: z.string().min(1).max(200),
  minGroupSize: z.number().int().min(1).max(1000).nullable().optional(),
});

const updateRoomBody = z
  .object({
    name: z.string().min(1).max(200).optional(),
    buildingName: z.string().min(1).max(200).optional(),
    minGroupSize: z.number().int().min(1).max(1000).nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send a new name, buildingName or minGroupSize');

@ApiTags('rooms')
@ApiBearerAuth()
@Controller('api/rooms')
export class RoomsController {
  constructor(
    private readonly rooms: RoomsService,
    private readonly audit: AuditService,
    private readonly devices: DevicesService,
  ) {}

  @Roles('speaker', 'installer')
  @Get()
  list(@CurrentUser() user: AuthUser): Promise<RoomView[]> {
    return this.rooms.list(user);
  }

  @Post()
  async create(@CurrentUser() user: AuthUser, @Body() body: unknown): Promise<RoomView> {
    const input = parseOr400(createRoomBody, body);
    const room = await this.rooms.create(input);
    await this.audit.record(user, 'room.create', `room:${room.id}`);
    const view = (await this.rooms.list(user)).find((r) => r.id === room.id);
    if (!view) throw new Error(`room ${room.id} vanished`);
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Renames a room, moves it to another building or changes its privacy floor (admin)' })
  async update(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: unknown): Promise<RoomView> {
    const input = parseOr400(updateRoomBody, body);
    const { before, after } = await this.rooms.update(id, input);
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    for (const k of ['name', 'buildingId', 'minGroupSize'] as const)
      if (before[k] !== after[k]) changed[k] = { from: before[k], to: after[k] };
    await this.audit.record(user, 'room.update', `room:${id}`, changed);
    const view = (await this.rooms.list(user)).find((r) => r.id === id);
    if (!view) throw new Error(`room ${id} vanished`);
    return view;
  }

  /**
   * Deletes a room (admin). A room with devices is refused unless `moveDevicesTo` names the room they move to;
   * sessions and reports recorded in it stay.
   */
  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deletes a room; ?moveDevicesTo=<room id> moves its devices first (admin)' })
  async remove(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query('moveDevicesTo') moveTo: string | undefined,
  ): Promise<{ id: string; movedDevices: string[] }> {
    await this.rooms.get(id);
    // Checked before any device moves, so a refused delete changes nothing.
    this.rooms.assertNoRunningSession(id);
    const moved: string[] = [];
    if (moveTo) {
      if (moveTo === id) throw new BadRequestException('moveDevicesTo must name another room than the one deleted.');
      if (!(await this.rooms.exists(moveTo)))
        throw new BadRequestException(`Room ${moveTo} does not exist: pick an existing room for the devices.`);
      for (const deviceId of await this.rooms.deviceIds(id)) {
        await this.devices.update(deviceId, { roomId: moveTo });
        await this.audit.record(user, 'device.move', `device:${deviceId}`, { from: id, to: moveTo });
        moved.push(deviceId);
      }
    }
    const room = await this.rooms.remove(id);
    await this.audit.record(user, 'room.delete', `room:${id}`, { name: room.name, movedDevicesTo: moveTo ?? null });
    return { id, movedDevices: moved };
  }

  @Roles('speaker')
  @Get(':id/schedule')
  @ApiOperation({ summary: "A room's weekly timetable; 'schedule' sessions run during its slots" })
  schedule(@CurrentUser() user: AuthUser, @Param('id') roomId: string): Promise<RoomScheduleView> {
    assertRoomAccess(user, roomId);
    return this.rooms.schedule(roomId);
  }

  @Put(':id/schedule')
  @ApiOperation({ summary: "Replaces a room's weekly timetable (admin)" })
  @ApiBody({ schema: z.toJSONSchema(scheduleBody, { io: 'input' }) as SchemaObject })
  async setSchedule(
    @CurrentUser() user: AuthUser,
    @Param('id') roomId: string,
    @Body() body: unknown,
  ): Promise<RoomScheduleView> {
    const input = parseOr400(scheduleBody, body);
    const view = await this.rooms.setSchedule(roomId, input);
    await this.audit.record(user, 'room.schedule', `room:${roomId}`, { slots: input.slots.length });
    return view;
  }
}
