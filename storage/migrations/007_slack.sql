-- Slack workspaces: the OAuth installations (one row per workspace, or per organisation for an org-wide install)
-- and whether the workspace's deliveries are paused (the app was uninstalled or its tokens revoked).
-- The installation, tokens included, is stored encrypted: AES-256-GCM with SLACK_TOKEN_ENCRYPTION_KEY and the row's
-- key as associated data, written "v1.<iv>.<tag>.<ciphertext>" (base64url). Uninstalling clears it.
CREATE TABLE slack_installations (
  -- "T:<team id>" for a workspace install, "E:<enterprise id>" for an org-wide install
  install_key TEXT PRIMARY KEY,
  team_id TEXT,
  enterprise_id TEXT,
  team_name TEXT,
  is_enterprise_install INTEGER NOT NULL DEFAULT 0 CHECK (is_enterprise_install IN (0, 1)),
  app_id TEXT,
  bot_user_id TEXT,
  bot_id TEXT,
  bot_scopes TEXT,
  installer_user_id TEXT,
  -- the encrypted installation; NULL when none is stored (uninstalled, or a single-workspace bot token from the environment)
  installation TEXT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
  paused_reason TEXT,
  paused_at TEXT,
  installed_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX slack_installations_by_team ON slack_installations(team_id);
