// Slack workspaces: OAuth installations with their tokens encrypted at rest (AES-256-GCM), and the paused state of a
// workspace whose app was uninstalled or whose tokens were revoked. Also the read-only queries the App Home needs.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Message } from '../src/alerts/message.js';
import type { Db } from './db.js';
import { readMessage } from './outbox.js';

const VERSION = 'v1';

export class TokenDecryptionError extends Error {
  override name = 'TokenDecryptionError';
}

function b64(buf: Buffer): string {
  return buf.toString('base64url');
}

/** AES-256-GCM with a random 96-bit IV; `aad` (the row's key) binds the ciphertext to its row. */
export function encryptSecret(key: Buffer, plaintext: string, aad: string): string {
  if (key.length !== 32) throw new Error('the token encryption key must be 32 bytes');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, b64(iv), b64(cipher.getAuthTag()), b64(ct)].join('.');
}

/** Throws TokenDecryptionError (never with key or plaintext in the message) for a wrong key, another row's value or tampering. */
export function decryptSecret(key: Buffer, stored: string, aad: string): string {
  const parts = stored.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new TokenDecryptionError('stored Slack installation is not in the expected encrypted form');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[1]!, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(parts[2]!, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(parts[3]!, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new TokenDecryptionError('stored Slack installation cannot be decrypted: wrong SLACK_TOKEN_ENCRYPTION_KEY, or the row was altered');
  }
}

interface Row {
  install_key: string;
  team_id: string | null;
  enterprise_id: string | null;
  team_name: string | null;
  is_enterprise_install: number;
  app_id: string | null;
  bot_user_id: string | null;
  bot_id: string | null;
  bot_scopes: string | null;
  installer_user_id: string | null;
  installation: string | null;
  status: 'active' | 'paused';
  paused_reason: string | null;
  paused_at: string | null;
  installed_at: string | null;
  updated_at: string;
}

export interface WorkspaceState {
  installKey: string;
  teamId: string | null;
  teamName: string | null;
  status: 'active' | 'paused';
  pausedReason: string | null;
  pausedAt: string | null;
  /** Whether an (encrypted) installation is stored. */
  installed: boolean;
  installedAt: string | null;
}

export const teamKey = (teamId: string): string => `T:${teamId}`;
export const enterpriseKey = (enterpriseId: string): string => `E:${enterpriseId}`;

function installKeyOf(q: { isEnterpriseInstall?: boolean | undefined; enterpriseId?: string | undefined; teamId?: string | undefined }): string {
  if (q.isEnterpriseInstall && q.enterpriseId) return enterpriseKey(q.enterpriseId);
  if (q.teamId) return teamKey(q.teamId);
  if (q.enterpriseId) return enterpriseKey(q.enterpriseId);
  throw new Error('a Slack installation needs a team or enterprise id');
}

function toState(row: Row): WorkspaceState {
  return {
    installKey: row.install_key,
    teamId: row.team_id,
    teamName: row.team_name,
    status: row.status,
    pausedReason: row.paused_reason,
    pausedAt: row.paused_at,
    installed: row.installation !== null,
    installedAt: row.installed_at,
  };
}

/** Stores (or replaces) an installation, encrypted; a paused workspace becomes active again. */
export function saveInstallation(db: Db, key: Buffer, installation: Installation, now: Date = new Date()): string {
  const installKey = installKeyOf({
    isEnterpriseInstall: installation.isEnterpriseInstall,
    enterpriseId: installation.enterprise?.id,
    teamId: installation.team?.id,
  });
  const at = now.toISOString();
  const sealed = encryptSecret(key, JSON.stringify(installation), installKey);
  db.prepare(
    `INSERT INTO slack_installations (install_key, team_id, enterprise_id, team_name, is_enterprise_install, app_id, bot_user_id, bot_id, bot_scopes,
       installer_user_id, installation, status, paused_reason, paused_at, installed_at, updated_at)
     VALUES (@installKey, @teamId, @enterpriseId, @teamName, @enterprise, @appId, @botUserId, @botId, @botScopes, @installer, @sealed, 'active', NULL, NULL, @at, @at)
     ON CONFLICT (install_key) DO UPDATE SET team_id = excluded.team_id, enterprise_id = excluded.enterprise_id, team_name = excluded.team_name,
       is_enterprise_install = excluded.is_enterprise_install, app_id = excluded.app_id, bot_user_id = excluded.bot_user_id, bot_id = excluded.bot_id,
       bot_scopes = excluded.bot_scopes, installer_user_id = excluded.installer_user_id, installation = excluded.installation, status = 'active',
       paused_reason = NULL, paused_at = NULL, installed_at = excluded.installed_at, updated_at = excluded.updated_at`,
  ).run({
    installKey,
    teamId: installation.team?.id ?? null,
    enterpriseId: installation.enterprise?.id ?? null,
    teamName: installation.team?.name ?? installation.enterprise?.name ?? null,
    enterprise: installation.isEnterpriseInstall ? 1 : 0,
    appId: installation.appId ?? null,
    botUserId: installation.bot?.userId ?? null,
    botId: installation.bot?.id ?? null,
    botScopes: installation.bot?.scopes?.join(',') ?? null,
    installer: installation.user?.id ?? null,
    sealed,
    at,
  });
  return installKey;
}

function getRow(db: Db, installKey: string): Row | undefined {
  return db.prepare('SELECT * FROM slack_installations WHERE install_key = ?').get(installKey) as Row | undefined;
}

/** The decrypted installation, or null when none is stored (never installed, or uninstalled). */
export function loadInstallation(db: Db, key: Buffer, installKey: string): Installation | null {
  const row = getRow(db, installKey);
  if (!row?.installation) return null;
  return JSON.parse(decryptSecret(key, row.installation, installKey)) as Installation;
}

/** The workspace's state, or null when nothing is recorded for it. */
export function workspaceState(db: Db, teamId: string): WorkspaceState | null {
  const row = getRow(db, teamKey(teamId));
  return row ? toState(row) : null;
}

export function listWorkspaces(db: Db): WorkspaceState[] {
  return (db.prepare('SELECT * FROM slack_installations ORDER BY install_key').all() as Row[]).map(toState);
}

/**
 * The app was uninstalled or its bot token revoked: the stored tokens are deleted and the workspace's deliveries are
 * paused (held in the outbox, not sent) until it is installed again. Works for single-workspace setups too (a row
 * without an installation records the pause).
 */
export function pauseWorkspace(db: Db, teamId: string, reason: string, now: Date = new Date()): void {
  const at = now.toISOString();
  db.prepare(
    `INSERT INTO slack_installations (install_key, team_id, installation, status, paused_reason, paused_at, updated_at)
     VALUES (?, ?, NULL, 'paused', ?, ?, ?)
     ON CONFLICT (install_key) DO UPDATE SET installation = NULL, status = 'paused', paused_reason = excluded.paused_reason,
       paused_at = excluded.paused_at, updated_at = excluded.updated_at`,
  ).run(teamKey(teamId), teamId, reason.slice(0, 200), at, at);
}

/** Deliveries to the workspace may go again (a single-workspace bot token that passes auth.test). */
export function resumeWorkspace(db: Db, teamId: string, now: Date = new Date()): boolean {
  return (
    db
      .prepare(
        `UPDATE slack_installations SET status = 'active', paused_reason = NULL, paused_at = NULL, updated_at = ? WHERE install_key = ? AND status = 'paused'`,
      )
      .run(now.toISOString(), teamKey(teamId)).changes > 0
  );
}

/** Removes an installation's tokens (Bolt's deleteInstallation); the row stays for the audit of who installed when. */
export function deleteInstallation(db: Db, installKey: string, now: Date = new Date()): void {
  db.prepare('UPDATE slack_installations SET installation = NULL, updated_at = ? WHERE install_key = ?').run(now.toISOString(), installKey);
}

/** Bolt's InstallationStore over the table above. */
export function createInstallationStore(db: Db, key: Buffer, now: () => Date = () => new Date()): InstallationStore {
  return {
    async storeInstallation(installation) {
      saveInstallation(db, key, installation as Installation, now());
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const installKey = installKeyOf(query);
      const row = getRow(db, installKey);
      if (!row?.installation) throw new Error(`no Slack installation for ${installKey}`);
      if (row.status === 'paused') throw new Error(`the Slack installation for ${installKey} is paused`);
      return JSON.parse(decryptSecret(key, row.installation, installKey)) as Installation<'v2', boolean>;
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      deleteInstallation(db, installKeyOf(query), now());
    },
  };
}

export interface RecentEvent {
  id: string;
  occurredAt: string;
  noticeKey: string | null;
  message: Message;
}

/** The latest register changes recorded (for the App Home), newest first. */
export function latestChangeEvents(db: Db, limit = 5): RecentEvent[] {
  const rows = db
    .prepare(`SELECT id, occurred_at, notice_key, message FROM events WHERE operator = 0 AND kind = 'change-set' ORDER BY occurred_at DESC, id LIMIT ?`)
    .all(limit) as Array<{ id: string; occurred_at: string; notice_key: string | null; message: string }>;
  return rows.map((r) => ({ id: r.id, occurredAt: r.occurred_at, noticeKey: r.notice_key, message: readMessage(r.message) }));
}

/** Channel ids of a workspace that have subscriptions (destinations `slack:<team>/<channel>`). */
export function subscribedChannels(db: Db, teamId: string): string[] {
  const prefix = `slack:${teamId}/`;
  const rows = db
    .prepare(`SELECT DISTINCT destination FROM subscriptions WHERE substr(destination, 1, ?) = ? ORDER BY destination`)
    .pluck()
    .all(prefix.length, prefix) as string[];
  return rows.map((d) => d.slice(prefix.length));
}
