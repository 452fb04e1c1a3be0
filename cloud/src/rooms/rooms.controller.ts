import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { parseOr400 } from '../common/zod-body';
import { AuditService } from '../ops/audit.service';
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
}
