-- feedbench schema, version 3: what LLM judges were asked and what they answered.
-- Written by `feedbench judge` (src/jcall.c).  Number 3 because 2 belongs to
-- another change; the migration runner applies files in order and skips gaps.

-- One row per answer (or final failure) of one request to a judge.
-- request_hash is the SHA-256 of the endpoint URL, the model and the request
-- body: the cache key ("have I asked this already?").  It never involves
-- the API key, and no column here ever holds it.
CREATE TABLE judge_call (
    id                 INTEGER PRIMARY KEY,
    request_hash       TEXT NOT NULL,
    rater_id           INTEGER NOT NULL REFERENCES rater(id),
    prompt_id          INTEGER NOT NULL REFERENCES prompt(id),
    aspect             TEXT NOT NULL,    -- an aspect name, or 'critique'
    completion_id      INTEGER REFERENCES completion(id),  -- critique: the completion judged
    shown_order        TEXT NOT NULL,    -- JSON array of completion ids: element k-1 was shown as text k
    reply              TEXT,             -- the raw reply; NULL when none came (status error)
    status             TEXT NOT NULL CHECK (status IN ('ok', 'parse_failed', 'error', 'cut_off')),
    reason             TEXT,             -- why the status is not ok (NULL when ok)
    finish_reason      TEXT,             -- as the server said: 'stop', 'length', ...
    ntexts             INTEGER NOT NULL, -- texts asked about
    nparsed            INTEGER NOT NULL DEFAULT 0,  -- texts whose answer was read
    model              TEXT,             -- the model as the server named it
    prompt_tokens      INTEGER,
    completion_tokens  INTEGER,
    attempts           INTEGER NOT NULL DEFAULT 1,  -- HTTP attempts (1 + retries); 0: not sent
    http_status        INTEGER,
    via                TEXT NOT NULL DEFAULT 'online' CHECK (via IN ('online', 'batch', 'cache')),
    created_at         TEXT NOT NULL
);
CREATE INDEX judge_call_hash ON judge_call(request_hash);
CREATE INDEX judge_call_rater ON judge_call(rater_id, aspect);
