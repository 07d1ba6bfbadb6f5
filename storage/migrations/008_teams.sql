-- Microsoft Teams conversations the bot can post to: one row per conversation (a team's channel, a group chat, a
-- personal chat), keyed by the conversation id as written in destinations (`teams:<conversation id>`, without any
-- `;messageid=` suffix). The ConversationReference (JSON, no secrets: ids, names, the service URL) is what a proactive
-- send needs; its service URL is refreshed from every inbound activity. When the app is removed from the team or
-- chat the row is paused: its deliveries are held in the outbox until the app is added again.
CREATE TABLE teams_conversations (
  conversation_id TEXT PRIMARY KEY,
  -- personal | groupChat | channel
  conversation_type TEXT,
  tenant_id TEXT,
  -- the team's id (its General channel's conversation id) for channels; NULL for chats
  team_id TEXT,
  team_name TEXT,
  channel_name TEXT,
  service_url TEXT NOT NULL,
  reference TEXT NOT NULL CHECK (json_valid(reference)),
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
  paused_reason TEXT,
  paused_at TEXT,
  installed_at TEXT,
  last_activity_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX teams_conversations_by_team ON teams_conversations(team_id);
