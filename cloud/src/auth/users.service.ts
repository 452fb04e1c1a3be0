import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictException, Inject, Injectable, Logger } from '@nestjs/common';
import bcrypt from 'bcryptjs';
import { DataSource } from 'typeorm';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { randomPassword } from '../config/secrets';
import { UserEntity, type Role } from '../db/entities';
import type { AuthUser } from './auth-user';

const BCRYPT_ROUNDS = 10;

/** Where a generated admin password is kept (only when LECTERN_ADMIN_PASSWORD was not set). */
export function adminPasswordFile(dataDir: string): string {
  return join(dataDir, 'admin-password');
}

export function toAuthUser(u: UserEntity): AuthUser {
  return { id: u.id, username: u.username, role: u.role, roomIds: u.roomIds };
}

@Injectable()
export class UsersService {
  private readonly logger = new Logger('Users');
  /** The admin password when it was generated during this boot (printed once, then only here). */
  generatedAdminPassword: string | null = null;
  /** bcrypt password checks made by login since boot (the login limiter bounds these). */
  passwordChecks = 0;

  constructor(
    private readonly ds: DataSource,
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
  ) {}

  private get repo() {
    return this.ds.getRepository(UserEntity);
  }

  /**
   * Makes sure the `admin` user exists. LECTERN_ADMIN_PASSWORD (re)sets its password on every boot;
   * without it a random one is generated on first run and printed.
   */
  async bootstrapAdmin(): Promise<void> {
    const existing = await this.repo.findOneBy({ username: 'admin' });
    if (existing) {
      if (this.config.adminPassword && !(await bcrypt.compare(this.config.adminPassword, existing.passwordHash))) {
        existing.passwordHash = await bcrypt.hash(this.config.adminPassword, BCRYPT_ROUNDS);
        await this.repo.save(existing);
      }
      return;
    }
    const password = this.config.adminPassword ?? randomPassword(12);
    if (!this.config.adminPassword) {
      this.generatedAdminPassword = password;
      // Kept next to the JWT secret (same trust level) so `npm start` can show it again on later runs.
      mkdirSync(this.config.dataDir, { recursive: true });
      writeFileSync(adminPasswordFile(this.config.dataDir), `${password}\n`, { mode: 0o600 });
      // Never the password itself: logs travel (journald, log shippers) further than the data directory.
      this.logger.warn(
        `created user "admin" with a generated password, saved in ${adminPasswordFile(this.config.dataDir)} (mode 0600); set LECTERN_ADMIN_PASSWORD to choose one`,
      );
    }
    await this.create({ username: 'admin', password, role: 'admin', roomIds: [] });
  }

  async create(input: { username: string; password: string; role: Role; roomIds: string[] }): Promise<AuthUser> {
    if (await this.repo.existsBy({ username: input.username })) {
      throw new ConflictException(`user "${input.username}" already exists`);
    }
    const user = this.repo.create({
      id: randomUUID(),
      username: input.username,
      passwordHash: await bcrypt.hash(input.password, BCRYPT_ROUNDS),
      role: input.role,
      roomIds: input.roomIds,
      createdAt: Date.now(),
    });
    await this.repo.insert(user);
    return toAuthUser(user);
  }

  async list(): Promise<AuthUser[]> {
    return (await this.repo.find({ order: { username: 'ASC' } })).map(toAuthUser);
  }

  async byId(id: string): Promise<AuthUser | null> {
    const u = await this.repo.findOneBy({ id });
    return u ? toAuthUser(u) : null;
  }

  /** Null for an unknown user or a wrong password (same answer, so usernames cannot be probed). */
  async verify(username: string, password: string): Promise<AuthUser | null> {
    const u = await this.repo.findOneBy({ username });
    // Compare against a dummy hash for unknown users so timing does not reveal which usernames exist.
    const hash = u?.passwordHash ?? '$2b$10$CwTycUXWue0Thq9StjUM0uJ8.qRhuq5s6MQ3Y4T8gHJ0aZ/2y9Oi6';
    this.passwordChecks++;
    const ok = await bcrypt.compare(password, hash);
    return ok && u ? toAuthUser(u) : null;
  }
}
