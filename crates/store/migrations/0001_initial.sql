-- One schema for SQLite and PostgreSQL (through sqlx's Any driver): times are
-- milliseconds since the Unix epoch (UTC), flags and counts are BIGINT, lists are JSON text.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

-- Session tokens are stored hashed (SHA-256): a leaked table gives no usable token.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE challenges (
    slug           TEXT PRIMARY KEY,
    title          TEXT NOT NULL,
    difficulty     TEXT NOT NULL,
    tags           TEXT NOT NULL,
    spec_toml      TEXT NOT NULL,
    statement      TEXT NOT NULL,
    starter_name   TEXT NOT NULL,
    starter_code   TEXT NOT NULL,
    reference_name TEXT NOT NULL,
    reference_code TEXT NOT NULL,
    builtin        BIGINT NOT NULL,
    position       BIGINT NOT NULL,
    version        BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE submissions (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users (id),
    challenge         TEXT NOT NULL REFERENCES challenges (slug),
    file_name         TEXT NOT NULL,
    code_key          TEXT NOT NULL,
    status            TEXT NOT NULL,
    verdict           TEXT,
    result            TEXT,
    screenshot_key    TEXT,
    attempts          BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    started_at        BIGINT,
    finished_at       BIGINT
);
CREATE INDEX submissions_by_user ON submissions (user_id, created_at);
CREATE INDEX submissions_by_user_challenge ON submissions (user_id, challenge, created_at);
CREATE INDEX submissions_by_status ON submissions (status, created_at);

-- Accepted submissions not yet handed to the queue: written in the same transaction as the
-- submission, removed once the queue has the job, replayed at start-up.
CREATE TABLE outbox (
    submission_id TEXT PRIMARY KEY REFERENCES submissions (id),
    created_at    BIGINT NOT NULL
);

CREATE TABLE solves (
    user_id       TEXT NOT NULL REFERENCES users (id),
    challenge     TEXT NOT NULL,
    submission_id TEXT NOT NULL,
    solved_at     BIGINT NOT NULL,
    PRIMARY KEY (user_id, challenge)
);

-- Accepted submissions per user and UTC day (days since the epoch).
CREATE TABLE activity (
    user_id  TEXT NOT NULL REFERENCES users (id),
    day      BIGINT NOT NULL,
    accepted BIGINT NOT NULL,
    PRIMARY KEY (user_id, day)
);

CREATE TABLE badges (
    user_id    TEXT NOT NULL REFERENCES users (id),
    badge      TEXT NOT NULL,
    awarded_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, badge)
);
