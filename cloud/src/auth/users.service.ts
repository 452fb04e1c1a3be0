import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadRequestException, ConflictException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import bcrypt from 'bcryptjs';
import { DataSource } from 'typeorm';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { isPlaceholderSecret, randomPassword } from '../config/secrets';
import { UserEntity, type Role } from '../db/entities';
import type { AuthUser } from './auth-user';

const BCRYPT_ROUNDS = 10;

/** Where a generated admin password is kept (only when LECTERN_ADMIN_PASSWORD was not set). */
export function adminPasswordFile(dataDir: string): string {
  return join(dataDir, 'admin-password');
}

export function toAuthUser(u: UserEntity): AuthUser {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    roomIds: u.roomIds,
    mustChangePassword: u.mustChangePassword ?? false,
  };
}

/** Why a new password is refused, as a sentence; null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < 8) return 'The new password must be at least 8 characters long.';
  if (password.length > 200) return 'The new password must be at most 200 characters long.';
  if (isPlaceholderSecret(password))
    return 'The new password is a placeholder or well-known password: choose one nobody could guess.';
  return null;
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
        // The operator chose this password: no forced change, and sessions under the old one end.
        await this.repo.update(
          { id: existing.id },
          {
            passwordHash: await bcrypt.hash(this.config.adminPassword, BCRYPT_ROUNDS),
            mustChangePassword: false,
            tokenVersion: (existing.tokenVersion ?? 0) + 1,
          },
        );
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
    // A generated password has been on a terminal and in a file: the admin must choose one at first login.
    await this.create({
      username: 'admin',
      password,
      role: 'admin',
      roomIds: [],
      mustChangePassword: !this.config.adminPassword,
    });
  }

  async create(input: {
    username: string;
    password: string;
    role: Role;
    roomIds: string[];
    mustChangePassword?: boolean;
  }): Promise<AuthUser> {
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
      mustChangePassword: input.mustChangePassword ?? false,
      tokenVersion: 0,
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

  /** The stored user (with its token version), for token checks. */
  entityById(id: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** Null for an unknown user or a wrong password (same answer, so usernames cannot be probed). */
  async verify(username: string, password: string): Promise<AuthUser | null> {
    const u = await this.verifyEntity(username, password);
    return u ? toAuthUser(u) : null;
  }

  async verifyEntity(username: string, password: string): Promise<UserEntity | null> {
    const u = await this.repo.findOneBy({ username });
    // Compare against a dummy hash for unknown users so timing does not reveal which usernames exist.
    const hash = u?.passwordHash ?? '$2b$10$CwTycUXWue0Thq9StjUM0uJ8.qRhuq5s6MQ3Y4T8gHJ0aZ/2y9Oi6';
    this.passwordChecks++;
    const ok = await bcrypt.compare(password, hash);
    return ok && u ? u : null;
  }

  private async entity(id: string): Promise<UserEntity> {
    const u = await this.repo.findOneBy({ id });
    if (!u) throw new NotFoundException(`User ${id} does not exist (deleted meanwhile?): reload the list.`);
    return u;
  }

  private async otherAdmins(id: string): Promise<number> {
    return (await this.repo.findBy({ role: 'admin' })).filter((u) => u.id !== id).length;
  }

  /** Renames a user, changes their role or rooms. The last admin cannot stop being one. */
  async update(
    id: string,
    patch: { username?: string | undefined; role?: Role | undefined; roomIds?: string[] | undefined },
  ): Promise<{ before: AuthUser; after: AuthUser }> {
    const u = await this.entity(id);
    const before = toAuthUser(u);
    if (patch.username !== undefined && patch.username !== u.username) {
      if (await this.repo.existsBy({ username: patch.username }))
        throw new ConflictException(`The username "${patch.username}" is taken: choose another one.`);
      u.username = patch.username;
    }
    if (patch.role !== undefined && patch.role !== u.role) {
      if (u.role === 'admin' && (await this.otherAdmins(id)) === 0)
        throw new ConflictException(`${u.username} is the only admin: make another user admin first.`);
      u.role = patch.role;
    }
    if (patch.roomIds !== undefined) u.roomIds = patch.roomIds;
    await this.repo.update({ id }, { username: u.username, role: u.role, roomIds: u.roomIds });
    return { before, after: toAuthUser(u) };
  }

  /** Deletes a user; their tokens stop working at once. Nobody deletes themselves, and the last admin stays. */
  async remove(id: string, actorId: string): Promise<AuthUser> {
    const u = await this.entity(id);
    if (id === actorId) throw new ConflictException('You cannot delete your own account: ask another admin.');
    if (u.role === 'admin' && (await this.otherAdmins(id)) === 0)
      throw new ConflictException(`${u.username} is the only admin: make another user admin first.`);
    await this.repo.delete({ id });
    return toAuthUser(u);
  }

  /**
   * Admin reset: a one-time password the user must replace at their next login; their current sessions end.
   * Returns the password (it exists only in this answer).
   */
  async resetPassword(id: string): Promise<{ user: AuthUser; password: string }> {
    const u = await this.entity(id);
    const password = randomPassword(12);
    u.passwordHash = await bcrypt.hash(password, BCRYPT_ROUNDS);
    u.mustChangePassword = true;
    u.tokenVersion = (u.tokenVersion ?? 0) + 1;
    await this.repo.update(
      { id },
      { passwordHash: u.passwordHash, mustChangePassword: true, tokenVersion: u.tokenVersion },
    );
    return { user: toAuthUser(u), password };
  }

  /**
   * The user's own change: the current password is required. Other sessions of the user end (the caller
   * gets a fresh token); a generated first-run admin password file is removed, since it no longer applies.
   */
  async changePassword(id: string, current: string, next: string): Promise<UserEntity> {
    const u = await this.entity(id);
    this.passwordChecks++;
    if (!(await bcrypt.compare(current, u.passwordHash)))
      throw new BadRequestException('The current password is wrong: type the password you logged in with.');
    const problem = passwordProblem(next);
    if (problem) throw new BadRequestException(problem);
    if (next === current) throw new BadRequestException('The new password must differ from the current one.');
    u.passwordHash = await bcrypt.hash(next, BCRYPT_ROUNDS);
    u.mustChangePassword = false;
    u.tokenVersion = (u.tokenVersion ?? 0) + 1;
    await this.repo.update(
      { id },
      { passwordHash: u.passwordHash, mustChangePassword: false, tokenVersion: u.tokenVersion },
    );
    if (u.username === 'admin' && !this.config.adminPassword)
      rmSync(adminPasswordFile(this.config.dataDir), { force: true });
    return u;
  }
}
