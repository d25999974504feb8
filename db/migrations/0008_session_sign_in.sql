-- 0008_session_sign_in.sql: how each session was started: with a
-- password, with a one-time code, or by the operator on the command line
-- (warmharbor token create). A role granted to someone ends their
-- sessions started with a code, so staff and admin routes are used only
-- from password (or operator) sessions. Sessions from before this are
-- taken for code sessions, the cautious guess.

ALTER TABLE sessions ADD COLUMN sign_in TEXT NOT NULL DEFAULT 'code'
    CHECK (sign_in IN ('password', 'code', 'operator'));
