import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AuthUser } from './auth-user';
import { UsersService } from './users.service';

const TOKEN_TTL_S = 12 * 3600;

@Injectable()
export class AuthService {
  constructor(
    private readonly jwt: JwtService,
    private readonly users: UsersService,
  ) {}

  async login(username: string, password: string): Promise<{ token: string; user: AuthUser }> {
    const user = await this.users.verify(username, password);
    if (!user) throw new UnauthorizedException('wrong username or password');
    return { token: await this.issue(user), user };
  }

  issue(user: AuthUser): Promise<string> {
    return this.jwt.signAsync({ sub: user.id }, { expiresIn: TOKEN_TTL_S });
  }

  /** The user behind a token, re-read so role and room changes apply at once. */
  async resolve(token: string): Promise<AuthUser> {
    let sub: unknown;
    try {
      sub = (await this.jwt.verifyAsync<{ sub?: unknown }>(token)).sub;
    } catch {
      throw new UnauthorizedException('invalid or expired token');
    }
    const user = typeof sub === 'string' ? await this.users.byId(sub) : null;
    if (!user) throw new UnauthorizedException('user no longer exists');
    return user;
  }
}
