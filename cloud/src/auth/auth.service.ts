import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { UserEntity } from '../db/entities';
import type { AuthUser } from './auth-user';
import { toAuthUser, UsersService } from './users.service';

const TOKEN_TTL_S = 12 * 3600;
/** A live-stream ticket only has to survive until EventSource opens (and its quick reconnects). */
export const LIVE_TICKET_TTL_S = 60;

/** Access tokens say `typ: 'access'` (tokens issued before it have no typ); stream tickets `typ: 'live'`. */
interface TokenPayload {
  sub?: unknown;
  exp?: unknown;
  typ?: unknown;
  room?: unknown;
  /** The user's token version when issued (absent: 0); a password change or reset bumps it. */
  ver?: unknown;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly jwt: JwtService,
    private readonly users: UsersService,
  ) {}

  async login(username: string, password: string): Promise<{ token: string; user: AuthUser }> {
    const user = await this.users.verifyEntity(username, password);
    if (!user) throw new UnauthorizedException('wrong username or password');
    return { token: await this.issue(user), user: toAuthUser(user) };
  }

  issue(user: Pick<UserEntity, 'id' | 'tokenVersion'>): Promise<string> {
    return this.jwt.signAsync(
      { sub: user.id, typ: 'access', ver: user.tokenVersion ?? 0 },
      { expiresIn: TOKEN_TTL_S, algorithm: 'HS256' },
    );
  }

  /** A short-lived token that opens one room's live stream and nothing else (EventSource puts it in the URL). */
  async issueLiveTicket(user: AuthUser, roomId: string): Promise<string> {
    const ver = (await this.users.entityById(user.id))?.tokenVersion ?? 0;
    return this.jwt.signAsync(
      { sub: user.id, typ: 'live', room: roomId, ver },
      { expiresIn: LIVE_TICKET_TTL_S, algorithm: 'HS256' },
    );
  }

  /** The user behind an access token, re-read so role and room changes apply at once. */
  async resolve(token: string): Promise<AuthUser> {
    const payload = await this.verify(token);
    if (payload.typ !== undefined && payload.typ !== 'access') {
      throw new UnauthorizedException('this token is not an access token');
    }
    return this.userOf(payload);
  }

  /** The user behind a live-stream ticket, which must be for `roomId`. */
  async resolveLiveTicket(ticket: string, roomId: string): Promise<AuthUser> {
    const payload = await this.verify(ticket);
    if (payload.typ !== 'live') throw new UnauthorizedException('not a live-stream ticket');
    if (payload.room !== roomId) throw new UnauthorizedException('this ticket is for another room');
    return this.userOf(payload);
  }

  private async verify(token: string): Promise<TokenPayload> {
    let payload: TokenPayload;
    try {
      payload = await this.jwt.verifyAsync<TokenPayload>(token, { algorithms: ['HS256'] });
    } catch {
      throw new UnauthorizedException('invalid or expired token');
    }
    // jsonwebtoken accepts a token without exp as never expiring; ours always carry one.
    if (typeof payload.exp !== 'number') throw new UnauthorizedException('token without expiry (exp)');
    return payload;
  }

  private async userOf(payload: TokenPayload): Promise<AuthUser> {
    const user = typeof payload.sub === 'string' ? await this.users.entityById(payload.sub) : null;
    if (!user) throw new UnauthorizedException('user no longer exists');
    const ver = typeof payload.ver === 'number' ? payload.ver : 0;
    if (ver !== (user.tokenVersion ?? 0))
      throw new UnauthorizedException('your password was changed or reset since this login: log in again');
    return toAuthUser(user);
  }
}
