/** One schema change, applied once and in order; `version` is recorded in `schema_migrations`. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema's history on PostgreSQL. Append only: never edit a migration that has shipped.
 *
 * Version 1 is the SQLite schema's state after its first ten migrations (src/store/sqlite/migrations.ts), and each
 * later version is a later SQLite one (or a change to what PostgreSQL alone has: the audit trail's head row): the same
 * tables, columns, checks and indexes, so that one repository contract reads the same on both. Times are
 * `timestamptz`, sequence numbers `bigint`, JSON stays `text` (the audit chain hashes the exact strings), and
 * `request_tallies.day` stays the `YYYY-MM-DD` text the statistics compare, not a date the driver would shift
 * into the local time zone.
 */
export const postgresMigrations: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'the schema of SQLite version 10',
    // The state lists are spelled out, not generated from REQUEST_STATES: a shipped migration must
    // never change when the code does. A later state needs a new migration.
    sql: `
      CREATE TABLE bot_state (
        key        text PRIMARY KEY,
        value      text NOT NULL,
        etag       integer NOT NULL,
        updated_at timestamptz NOT NULL
      );

      -- An address is found by tenant and key: a conversation two tenants both know gets one address in each.
      CREATE TABLE conversation_addresses (
        tenant_id     text NOT NULL,
        key           text NOT NULL,
        kind          text NOT NULL CHECK (kind IN ('personal', 'channel', 'groupChat')),
        aad_object_id text,
        team_id       text,
        locale        text,
        reference     text NOT NULL,
        updated_at    timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, key)
      );
      CREATE INDEX conversation_addresses_by_tenant ON conversation_addresses (tenant_id, updated_at);
      -- The approval channel's Bot Connector endpoint is read from the latest conversation in its team.
      CREATE INDEX conversation_addresses_by_team ON conversation_addresses (tenant_id, team_id, updated_at);

      -- Ids compare bytewise (COLLATE "C"), so that finding a diagnosis by the start of its id is a range of the
      -- primary key whatever the database's collation.
      CREATE TABLE diagnoses (
        id              text COLLATE "C" PRIMARY KEY,
        tenant_id       text NOT NULL,
        user_id         text NOT NULL,
        locale          text NOT NULL,
        entry           text NOT NULL,
        started_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        path            text NOT NULL,
        outcome         text,
        result          text NOT NULL CHECK (result IN ('open', 'resolved', 'notResolved', 'applied', 'abandoned')),
        questions_asked integer NOT NULL,
        evidence_gaps   text NOT NULL,
        -- What the directory showed when the diagnosis started: facts and the kinds of method (JSON).
        evidence        text
      );
      CREATE INDEX diagnoses_by_user ON diagnoses (tenant_id, user_id, started_at);
      CREATE INDEX diagnoses_by_outcome ON diagnoses (tenant_id, outcome, result);

      CREATE TABLE requests (
        id            text PRIMARY KEY,
        reference     text NOT NULL UNIQUE,
        sequence      bigint NOT NULL UNIQUE,
        tenant_id     text NOT NULL,
        filer_id      text NOT NULL,
        subject_id    text NOT NULL,
        state         text NOT NULL CHECK (state IN ('submitted', 'awaiting_manager', 'pending_review', 'approved',
                        'executing', 'completed', 'rejected', 'cancelled', 'expired', 'failed')),
        version       integer NOT NULL CHECK (version >= 1),
        application   text NOT NULL,
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL,
        -- Claims, questions, the manager's answer, approvals and the rejection, as JSON; it changes only
        -- together with the request's version.
        review        text NOT NULL DEFAULT '{}',
        -- Who claimed it (for the queue's sections) and since when it waits for review (for the service level).
        claimed_by    text,
        pending_since timestamptz,
        -- When the contact details and notes were removed, RETENTION_DAYS after the request finished.
        purged_at     timestamptz
      );
      CREATE INDEX requests_by_subject ON requests (tenant_id, subject_id, state);
      CREATE INDEX requests_by_filer ON requests (tenant_id, filer_id, created_at);
      CREATE INDEX requests_by_state ON requests (state, updated_at);
      CREATE INDEX requests_by_tenant_state ON requests (tenant_id, state, sequence);
      CREATE INDEX requests_by_subject_sequence ON requests (tenant_id, subject_id, sequence);
      CREATE INDEX requests_by_pending_since ON requests (state, pending_since);
      CREATE INDEX requests_to_purge ON requests (updated_at)
        WHERE purged_at IS NULL AND state IN ('completed', 'rejected', 'cancelled', 'expired');

      -- No foreign key to requests: refusals of unknown request ids are audited too. The sequence is not an
      -- identity column (a rolled-back transaction would leave a gap the verifier reports as a deleted event):
      -- it is taken from audit_head, whose row each append locks.
      CREATE TABLE request_events (
        sequence         bigint PRIMARY KEY,
        request_id       text NOT NULL,
        tenant_id        text NOT NULL,
        actor            text NOT NULL,
        at               timestamptz NOT NULL,
        from_state       text CHECK (from_state IN ('submitted', 'awaiting_manager', 'pending_review', 'approved',
                           'executing', 'completed', 'rejected', 'cancelled', 'expired', 'failed')),
        to_state         text NOT NULL CHECK (to_state IN ('submitted', 'awaiting_manager', 'pending_review',
                           'approved', 'executing', 'completed', 'rejected', 'cancelled', 'expired', 'failed',
                           'refused')),
        reason           text NOT NULL,
        graph_request_id text,
        previous_hash    text NOT NULL,
        hash             text NOT NULL,
        key_id           text,
        personal_digest  text
      );
      -- A request's timeline. SQLite's index also holds the columns a timeline reads; PostgreSQL refuses index
      -- entries over about 2.7 kB, which a long reason would exceed, so here it holds the key alone.
      CREATE INDEX request_events_timeline ON request_events (request_id, sequence);
      -- The hourly cap counts the executions a tenant started in the last hour.
      CREATE INDEX request_events_by_tenant_transition ON request_events (tenant_id, to_state, at);

      -- The head of the audit chain: the last sequence handed out. One row, locked (SELECT ... FOR UPDATE) by
      -- every append until its transaction ends, so events get consecutive numbers in the order they commit,
      -- and a deleted newest event leaves a gap instead of its number being reused.
      CREATE TABLE audit_head (
        id            integer PRIMARY KEY CHECK (id = 1),
        last_sequence bigint NOT NULL
      );
      INSERT INTO audit_head (id, last_sequence) VALUES (1, 0);

      -- Where keying began (every event from keyed_from on is signed) and the audit key's seal over it.
      -- A new database is keyed from its first event.
      CREATE TABLE audit_chain (
        id          integer PRIMARY KEY CHECK (id = 1),
        keyed_from  bigint NOT NULL,
        seal        text,
        seal_key_id text
      );
      INSERT INTO audit_chain (id, keyed_from) VALUES (1, 1);

      -- The heads published in each tenant's approval channel and the log (tenant '').
      CREATE TABLE audit_anchors (
        tenant_id    text NOT NULL,
        sequence     bigint NOT NULL,
        hash         text NOT NULL,
        key_id       text,
        at           timestamptz NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('daily', 'asked')),
        requested_by text
      );
      CREATE INDEX audit_anchors_by_tenant ON audit_anchors (tenant_id, at);

      -- Where each tenant's helpdesk decides. unavailable_since is set when posting there failed
      -- because the bot was removed; new requests then wait until the channel works again.
      CREATE TABLE approval_channels (
        tenant_id         text PRIMARY KEY,
        team_id           text NOT NULL,
        channel_id        text NOT NULL,
        service_url       text NOT NULL,
        locale            text NOT NULL,
        set_by            text NOT NULL,
        set_at            timestamptz NOT NULL,
        unavailable_since timestamptz
      );

      -- The card of each request in the approval channel: the thread and the message to update.
      CREATE TABLE channel_posts (
        request_id      text PRIMARY KEY,
        tenant_id       text NOT NULL,
        channel_id      text NOT NULL,
        conversation_id text NOT NULL,
        message_id      text NOT NULL,
        service_url     text NOT NULL,
        posted_at       timestamptz NOT NULL
      );

      -- One row per approved request: written in the transaction that approves it, leased by a worker
      -- (FOR UPDATE SKIP LOCKED), and carrying the steps done so far (never a pass value).
      CREATE TABLE execution_jobs (
        request_id      text PRIMARY KEY REFERENCES requests (id),
        tenant_id       text NOT NULL,
        status          text NOT NULL CHECK (status IN ('pending', 'followUp', 'done', 'failed')),
        progress        text NOT NULL DEFAULT '{}',
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_owner     text,
        lease_until     timestamptz,
        last_error      text,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL
      );
      CREATE INDEX execution_jobs_due ON execution_jobs (status, next_attempt_at);

      -- The statistics: counters per tenant, UTC day (YYYY-MM-DD), metric and key, changed in the
      -- transaction of what they count.
      CREATE TABLE request_tallies (
        tenant_id text NOT NULL,
        day       text NOT NULL,
        metric    text NOT NULL,
        key       text NOT NULL,
        count     integer NOT NULL,
        PRIMARY KEY (tenant_id, day, metric, key)
      );

      -- Who looked at someone else's request or diagnosis, when and as whom. Append-only, like the audit
      -- trail; a gap in its numbers (a rolled-back view) hides nothing, so an identity column serves.
      CREATE TABLE record_views (
        sequence  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id text NOT NULL,
        record_id text NOT NULL,
        viewer_id text NOT NULL,
        audience  text NOT NULL CHECK (audience IN ('requester', 'manager', 'helpdesk')),
        route     text NOT NULL CHECK (route IN ('status', 'team', 'queue', 'diagnosis', 'oldCard')),
        at        timestamptz NOT NULL
      );
      CREATE INDEX record_views_by_record ON record_views (record_id, sequence);

      -- The overdue notices of a request: taken by one instance until lease_until, then sent once.
      CREATE TABLE overdue_notices (
        request_id  text NOT NULL,
        kind        text NOT NULL CHECK (kind IN ('reminder', 'escalation')),
        owner       text NOT NULL,
        lease_until timestamptz NOT NULL,
        sent_at     timestamptz,
        PRIMARY KEY (request_id, kind)
      );

      -- Local mode only: what the demo did to a person in the simulated directory (JSON, never a pass value).
      CREATE TABLE simulated_directory_changes (
        user_id    text PRIMARY KEY,
        changes    text NOT NULL,
        updated_at timestamptz NOT NULL
      );

      -- The application only ever appends to the audit trail and the view log; rewriting history takes
      -- someone who bypasses the schema (dropping the triggers), and the hash chain shows what they did.
      CREATE FUNCTION refuse_change_to_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % cannot be %', TG_TABLE_NAME, TG_ARGV[0],
          CASE TG_OP WHEN 'UPDATE' THEN 'changed' ELSE 'deleted' END;
      END;
      $$;
      CREATE TRIGGER request_events_no_update BEFORE UPDATE ON request_events
        FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only('events');
      CREATE TRIGGER request_events_no_delete BEFORE DELETE ON request_events
        FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only('events');
      CREATE TRIGGER request_events_no_truncate BEFORE TRUNCATE ON request_events
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_append_only('events');
      CREATE TRIGGER record_views_no_update BEFORE UPDATE ON record_views
        FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only('views');
      CREATE TRIGGER record_views_no_delete BEFORE DELETE ON record_views
        FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only('views');
      CREATE TRIGGER record_views_no_truncate BEFORE TRUNCATE ON record_views
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_append_only('views');
    `,
  },
  {
    version: 2,
    name: 'claims on posting cards (SQLite version 11)',
    sql: `
      -- Which instance is posting a request's card to a channel, until lease_until: of two that both read "no card
      -- yet", only the holder posts. Saving the post (channel_posts) deletes the claim; one whose instance died
      -- runs out.
      CREATE TABLE channel_post_claims (
        request_id  text NOT NULL,
        channel_id  text NOT NULL,
        owner       text NOT NULL,
        lease_until timestamptz NOT NULL,
        PRIMARY KEY (request_id, channel_id)
      );
    `,
  },
  {
    version: 3,
    name: 'the open requests in order, for the queue',
    sql: `
      -- The queue lists each section's oldest open requests. Among a million requests, nearly all finished, the
      -- planner walked every request in sequence order and filtered (the open ones are the newest): 670 ms a
      -- section. This index holds the open requests alone, in order. Building it reads the table once, holding
      -- writes back for as long (seconds at a million).
      CREATE INDEX requests_open_by_sequence ON requests (tenant_id, sequence)
        WHERE state IN ('submitted', 'awaiting_manager', 'pending_review', 'approved', 'executing', 'failed');
    `,
  },
  {
    version: 4,
    name: 'the audit chain head keeps the newest hash',
    sql: `
      -- The newest event's hash beside its sequence: an append reads both in the statement that locks the head,
      -- instead of reading the newest event in a statement of its own while it holds the lock, and writes the
      -- hash back with its event. The genesis hash for a trail with no event yet. An instance of an earlier release
      -- must not write after this (it would not keep the hash): docs/deployment.md, section 10, stops them first.
      ALTER TABLE audit_head ADD COLUMN last_hash text NOT NULL DEFAULT '${'0'.repeat(64)}';
      UPDATE audit_head
         SET last_hash = (SELECT hash FROM request_events ORDER BY sequence DESC LIMIT 1)
       WHERE EXISTS (SELECT 1 FROM request_events);
    `,
  },
];
