/** One schema change, applied once and in order; `version` is stored in PRAGMA user_version. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The schema's history. Append only: never edit a migration that has shipped. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'bot state and conversation addresses',
    sql: `
      CREATE TABLE bot_state (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        etag       INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE conversation_addresses (
        key           TEXT PRIMARY KEY,
        kind          TEXT NOT NULL CHECK (kind IN ('personal', 'channel', 'groupChat')),
        tenant_id     TEXT NOT NULL,
        aad_object_id TEXT,
        team_id       TEXT,
        locale        TEXT,
        reference     TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'diagnosis records',
    sql: `
      CREATE TABLE diagnoses (
        id              TEXT PRIMARY KEY,
        tenant_id       TEXT NOT NULL,
        user_id         TEXT NOT NULL,
        locale          TEXT NOT NULL,
        entry           TEXT NOT NULL,
        started_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        path            TEXT NOT NULL,
        outcome         TEXT,
        result          TEXT NOT NULL CHECK (result IN ('open', 'resolved', 'notResolved', 'applied', 'abandoned')),
        questions_asked INTEGER NOT NULL,
        evidence_gaps   TEXT NOT NULL
      ) STRICT;
      CREATE INDEX diagnoses_by_user ON diagnoses (tenant_id, user_id, started_at);
      CREATE INDEX diagnoses_by_outcome ON diagnoses (tenant_id, outcome, result);
    `,
  },
];
