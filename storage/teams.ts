// Microsoft Teams conversations: the ConversationReference a proactive send needs, per conversation, with its service
// URL kept fresh from inbound activities, and the paused state of a conversation the app was removed from.
// No botbuilder types here: a reference is the plain JSON the Bot Framework (and the Agents SDK) both use.
import type { Db } from './db.js';

/** The parts of a Bot Framework ConversationReference ExportWatch keeps (no activity id: proactive sends start new posts). */
export interface TeamsReference {
  channelId: string;
  serviceUrl: string;
  conversation: { id: string; conversationType?: string; tenantId?: string; isGroup?: boolean; name?: string };
  bot: { id: string; name?: string };
  locale?: string;
}

export type TeamsConversationStatus = 'active' | 'paused';

export interface TeamsConversation {
  conversationId: string;
  conversationType: string | null;
  tenantId: string | null;
  teamId: string | null;
  teamName: string | null;
  channelName: string | null;
  serviceUrl: string;
  reference: TeamsReference;
  status: TeamsConversationStatus;
  pausedReason: string | null;
  pausedAt: string | null;
  installedAt: string | null;
  lastActivityAt: string | null;
  updatedAt: string;
}

interface Row {
  conversation_id: string;
  conversation_type: string | null;
  tenant_id: string | null;
  team_id: string | null;
  team_name: string | null;
  channel_name: string | null;
  service_url: string;
  reference: string;
  status: TeamsConversationStatus;
  paused_reason: string | null;
  paused_at: string | null;
  installed_at: string | null;
  last_activity_at: string | null;
  updated_at: string;
}

function toConversation(row: Row): TeamsConversation {
  return {
    conversationId: row.conversation_id,
    conversationType: row.conversation_type,
    tenantId: row.tenant_id,
    teamId: row.team_id,
    teamName: row.team_name,
    channelName: row.channel_name,
    serviceUrl: row.service_url,
    reference: JSON.parse(row.reference) as TeamsReference,
    status: row.status,
    pausedReason: row.paused_reason,
    pausedAt: row.paused_at,
    installedAt: row.installed_at,
    lastActivityAt: row.last_activity_at,
    updatedAt: row.updated_at,
  };
}

/** A conversation id as stored and written in destinations: a channel thread's `;messageid=…` suffix removed. */
export function conversationKey(conversationId: string): string {
  const semi = conversationId.indexOf(';');
  return (semi < 0 ? conversationId : conversationId.slice(0, semi)).trim();
}

export interface SaveConversationInput {
  reference: TeamsReference;
  teamId?: string | null;
  teamName?: string | null;
  channelName?: string | null;
  /** True for install events (the bot was added): records the install time. */
  installed?: boolean;
  /** True when the activity proves the bot is in the conversation again: a paused conversation resumes. */
  resume?: boolean;
}

export interface SaveConversationResult {
  conversationId: string;
  created: boolean;
  /** It was paused and is active again. */
  resumed: boolean;
}

/**
 * Stores (or refreshes) a conversation's reference from an inbound activity. Names given as null or undefined keep the
 * stored ones. With `resume`, a paused conversation becomes active again.
 */
export function saveConversation(db: Db, input: SaveConversationInput, now: Date = new Date()): SaveConversationResult {
  const at = now.toISOString();
  const conversationId = conversationKey(input.reference.conversation.id);
  const reference: TeamsReference = { ...input.reference, conversation: { ...input.reference.conversation, id: conversationId } };
  return db.transaction((): SaveConversationResult => {
    const before = db.prepare('SELECT status FROM teams_conversations WHERE conversation_id = ?').get(conversationId) as
      { status: TeamsConversationStatus } | undefined;
    db.prepare(
      `INSERT INTO teams_conversations (conversation_id, conversation_type, tenant_id, team_id, team_name, channel_name, service_url, reference, status,
         installed_at, last_activity_at, updated_at)
       VALUES (@id, @type, @tenant, @team, @teamName, @channelName, @serviceUrl, @reference, 'active', @installedAt, @at, @at)
       ON CONFLICT (conversation_id) DO UPDATE SET
         conversation_type = COALESCE(excluded.conversation_type, conversation_type),
         tenant_id = COALESCE(excluded.tenant_id, tenant_id),
         team_id = COALESCE(excluded.team_id, team_id),
         team_name = COALESCE(excluded.team_name, team_name),
         channel_name = COALESCE(excluded.channel_name, channel_name),
         service_url = excluded.service_url,
         reference = excluded.reference,
         status = CASE WHEN @resume = 1 THEN 'active' ELSE status END,
         paused_reason = CASE WHEN @resume = 1 THEN NULL ELSE paused_reason END,
         paused_at = CASE WHEN @resume = 1 THEN NULL ELSE paused_at END,
         installed_at = COALESCE(excluded.installed_at, installed_at),
         last_activity_at = excluded.last_activity_at,
         updated_at = excluded.updated_at`,
    ).run({
      id: conversationId,
      type: reference.conversation.conversationType ?? null,
      tenant: reference.conversation.tenantId ?? null,
      team: input.teamId ?? null,
      teamName: input.teamName ?? null,
      channelName: input.channelName ?? null,
      serviceUrl: reference.serviceUrl,
      reference: JSON.stringify(reference),
      installedAt: input.installed ? at : null,
      resume: input.resume ? 1 : 0,
      at,
    });
    // Every conversation of the tenant is served from the same regional service URL: keep them all current.
    if (reference.conversation.tenantId) {
      db.prepare(
        `UPDATE teams_conversations SET service_url = @serviceUrl, reference = json_set(reference, '$.serviceUrl', @serviceUrl), updated_at = @at
         WHERE tenant_id = @tenant AND service_url != @serviceUrl`,
      ).run({ serviceUrl: reference.serviceUrl, tenant: reference.conversation.tenantId, at });
    }
    return { conversationId, created: before === undefined, resumed: before?.status === 'paused' && input.resume === true };
  })();
}

export function getConversation(db: Db, conversationId: string): TeamsConversation | null {
  const row = db.prepare('SELECT * FROM teams_conversations WHERE conversation_id = ?').get(conversationKey(conversationId)) as Row | undefined;
  return row ? toConversation(row) : null;
}

export function listConversations(db: Db): TeamsConversation[] {
  return (db.prepare('SELECT * FROM teams_conversations ORDER BY conversation_id').all() as Row[]).map(toConversation);
}

/** The app was removed from the conversation: its deliveries are held until it is added again. */
export function pauseConversation(db: Db, conversationId: string, reason: string, now: Date = new Date()): boolean {
  const at = now.toISOString();
  return (
    db
      .prepare(
        `UPDATE teams_conversations SET status = 'paused', paused_reason = ?, paused_at = CASE WHEN status = 'paused' THEN paused_at ELSE ? END, updated_at = ?
         WHERE conversation_id = ?`,
      )
      .run(reason.slice(0, 200), at, at, conversationKey(conversationId)).changes > 0
  );
}

/** The app was removed from a team (or the team deleted): every channel of it is paused. Returns the rows paused. */
export function pauseTeam(db: Db, teamId: string, reason: string, now: Date = new Date()): number {
  const at = now.toISOString();
  const key = conversationKey(teamId);
  return db
    .prepare(
      `UPDATE teams_conversations SET status = 'paused', paused_reason = ?, paused_at = ?, updated_at = ?
       WHERE (team_id = ? OR conversation_id = ?) AND status = 'active'`,
    )
    .run(reason.slice(0, 200), at, at, key, key).changes;
}

/** The channels of a team that are known (their conversation ids), e.g. to resume them all when the app is added again. */
export function teamChannels(db: Db, teamId: string): string[] {
  const key = conversationKey(teamId);
  return db
    .prepare('SELECT conversation_id FROM teams_conversations WHERE team_id = ? OR conversation_id = ? ORDER BY conversation_id')
    .pluck()
    .all(key, key) as string[];
}

/** Resumes every paused channel of a team (the app was added to the team again). Returns the rows resumed. */
export function resumeTeam(db: Db, teamId: string, now: Date = new Date()): number {
  const key = conversationKey(teamId);
  return db
    .prepare(
      `UPDATE teams_conversations SET status = 'active', paused_reason = NULL, paused_at = NULL, updated_at = ?
       WHERE (team_id = ? OR conversation_id = ?) AND status = 'paused'`,
    )
    .run(now.toISOString(), key, key).changes;
}
