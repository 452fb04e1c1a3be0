import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { assertRoomAccess } from '../auth/room-access';
import { parseOr400 } from '../common/zod-body';
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

@ApiTags('rooms')
@ApiBearerAuth()
@Controller('api/rooms')
export class RoomsController {
  constructor(
    private readonly rooms: RoomsService,
    private readonly audit: AuditService,
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
