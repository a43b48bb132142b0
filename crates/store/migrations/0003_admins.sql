-- Admin is granted to an account (`reactlab admin grant EMAIL`), not to whoever registers
-- a configured e-mail first. 0 or 1 (an integer reads the same on every engine).
ALTER TABLE users ADD COLUMN is_admin BIGINT NOT NULL DEFAULT 0;
