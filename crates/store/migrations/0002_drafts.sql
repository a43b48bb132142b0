-- A learner's code in progress, one per challenge: kept on the server so it follows the
-- learner to another device, and so a shared browser need keep none of it after sign-out.
CREATE TABLE drafts (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    challenge  TEXT NOT NULL,
    code       TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, challenge)
);
