-- feedbench schema, version 1.
-- Applied inside one transaction by db_open(); PRAGMA user_version records it.
-- Times are ISO 8601 UTC strings with milliseconds.

CREATE TABLE dataset (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

-- One row per import run: where data came from (local bookkeeping).
CREATE TABLE import_log (
    id          INTEGER PRIMARY KEY,
    dataset_id  INTEGER REFERENCES dataset(id),   -- NULL: records name their own
    path        TEXT NOT NULL,
    format      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    records     INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0
);

-- A prompt is identified by the SHA-256 of its text: met again, it is the same prompt.
CREATE TABLE prompt (
    id                 INTEGER PRIMARY KEY,
    hash               TEXT NOT NULL UNIQUE,
    instruction        TEXT NOT NULL,
    source             TEXT,
    external_id        TEXT,
    correct_answers    TEXT,   -- JSON array of strings, NULL when none
    incorrect_answers  TEXT,   -- JSON array of strings, NULL when none
    created_at         TEXT NOT NULL
);
CREATE INDEX prompt_source ON prompt(source);

CREATE TABLE dataset_prompt (
    dataset_id  INTEGER NOT NULL REFERENCES dataset(id),
    prompt_id   INTEGER NOT NULL REFERENCES prompt(id),
    PRIMARY KEY (dataset_id, prompt_id)
) WITHOUT ROWID;
CREATE INDEX dataset_prompt_prompt ON dataset_prompt(prompt_id);

-- A completion is identified within its prompt by the SHA-256 of its response.
CREATE TABLE completion (
    id             INTEGER PRIMARY KEY,
    prompt_id      INTEGER NOT NULL REFERENCES prompt(id),
    idx            INTEGER NOT NULL,   -- order within the prompt, from 0
    hash           TEXT NOT NULL,
    model          TEXT,
    principle      TEXT,
    system_prompt  TEXT,
    response       TEXT NOT NULL,
    UNIQUE (prompt_id, hash),
    UNIQUE (prompt_id, idx)
);

CREATE TABLE rater (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    kind      TEXT NOT NULL CHECK (kind IN ('human', 'llm')),
    model     TEXT,
    endpoint  TEXT
);

-- Aspects mirror the rubric files (rubrics/*.rubric); refreshed on open.
CREATE TABLE aspect (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    title      TEXT,
    scale_min  INTEGER NOT NULL,
    scale_max  INTEGER NOT NULL,
    allow_na   INTEGER NOT NULL DEFAULT 0
);

-- One current rating per (completion, rater, aspect).  value NULL and na = 0
-- means "no value yet" (a rationale alone, or a cleared cell).
CREATE TABLE rating (
    id             INTEGER PRIMARY KEY,
    completion_id  INTEGER NOT NULL REFERENCES completion(id),
    rater_id       INTEGER NOT NULL REFERENCES rater(id),
    aspect_id      INTEGER NOT NULL REFERENCES aspect(id),
    value          INTEGER,
    na             INTEGER NOT NULL DEFAULT 0 CHECK (na IN (0, 1)),
    rationale      TEXT,
    types          TEXT,   -- JSON array of type ids, NULL when the aspect has none
    rationale2     TEXT,   -- "Rationale For Rating"
    updated_at     TEXT NOT NULL,
    UNIQUE (completion_id, rater_id, aspect_id)
);
CREATE INDEX rating_rater_aspect ON rating(rater_id, aspect_id);

-- Every change keeps the old row: written by triggers, so no code path can forget.
CREATE TABLE rating_history (
    id             INTEGER PRIMARY KEY,
    rating_id      INTEGER NOT NULL,
    completion_id  INTEGER NOT NULL,
    rater_id       INTEGER NOT NULL,
    aspect_id      INTEGER NOT NULL,
    value          INTEGER,
    na             INTEGER NOT NULL,
    rationale      TEXT,
    types          TEXT,
    rationale2     TEXT,
    updated_at     TEXT NOT NULL,
    replaced_at    TEXT NOT NULL
);
CREATE INDEX rating_history_rating ON rating_history(rating_id);
CREATE INDEX rating_history_completion ON rating_history(completion_id);

CREATE TRIGGER rating_keep_update AFTER UPDATE ON rating
WHEN OLD.value IS NOT NEW.value OR OLD.na IS NOT NEW.na
  OR OLD.rationale IS NOT NEW.rationale OR OLD.types IS NOT NEW.types
  OR OLD.rationale2 IS NOT NEW.rationale2
BEGIN
    INSERT INTO rating_history (rating_id, completion_id, rater_id, aspect_id, value, na,
                                rationale, types, rationale2, updated_at, replaced_at)
    VALUES (OLD.id, OLD.completion_id, OLD.rater_id, OLD.aspect_id, OLD.value, OLD.na,
            OLD.rationale, OLD.types, OLD.rationale2, OLD.updated_at, NEW.updated_at);
END;

CREATE TRIGGER rating_keep_delete BEFORE DELETE ON rating
BEGIN
    INSERT INTO rating_history (rating_id, completion_id, rater_id, aspect_id, value, na,
                                rationale, types, rationale2, updated_at, replaced_at)
    VALUES (OLD.id, OLD.completion_id, OLD.rater_id, OLD.aspect_id, OLD.value, OLD.na,
            OLD.rationale, OLD.types, OLD.rationale2, OLD.updated_at,
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

-- A critique: free-text feedback and an overall 1-10 score per (completion, rater).
CREATE TABLE critique (
    id                  INTEGER PRIMARY KEY,
    completion_id       INTEGER NOT NULL REFERENCES completion(id),
    rater_id            INTEGER NOT NULL REFERENCES rater(id),
    text                TEXT,
    overall_score       REAL,
    fine_grained_score  REAL,
    updated_at          TEXT NOT NULL,
    UNIQUE (completion_id, rater_id)
);

CREATE TABLE critique_history (
    id                  INTEGER PRIMARY KEY,
    critique_id         INTEGER NOT NULL,
    completion_id       INTEGER NOT NULL,
    rater_id            INTEGER NOT NULL,
    text                TEXT,
    overall_score       REAL,
    fine_grained_score  REAL,
    updated_at          TEXT NOT NULL,
    replaced_at         TEXT NOT NULL
);
CREATE INDEX critique_history_completion ON critique_history(completion_id);

CREATE TRIGGER critique_keep_update AFTER UPDATE ON critique
WHEN OLD.text IS NOT NEW.text OR OLD.overall_score IS NOT NEW.overall_score
  OR OLD.fine_grained_score IS NOT NEW.fine_grained_score
BEGIN
    INSERT INTO critique_history (critique_id, completion_id, rater_id, text, overall_score,
                                  fine_grained_score, updated_at, replaced_at)
    VALUES (OLD.id, OLD.completion_id, OLD.rater_id, OLD.text, OLD.overall_score,
            OLD.fine_grained_score, OLD.updated_at, NEW.updated_at);
END;

-- A pairwise judgement (binarized data sets): rater preferred chosen over rejected.
CREATE TABLE preference (
    id           INTEGER PRIMARY KEY,
    prompt_id    INTEGER NOT NULL REFERENCES prompt(id),
    rater_id     INTEGER NOT NULL REFERENCES rater(id),
    chosen_id    INTEGER NOT NULL REFERENCES completion(id),
    rejected_id  INTEGER NOT NULL REFERENCES completion(id),
    created_at   TEXT NOT NULL,
    UNIQUE (rater_id, chosen_id, rejected_id)
);
CREATE INDEX preference_prompt ON preference(prompt_id);

-- Flags (and skips) a rater puts on a prompt, with a reason.
CREATE TABLE flag (
    id          INTEGER PRIMARY KEY,
    prompt_id   INTEGER NOT NULL REFERENCES prompt(id),
    rater_id    INTEGER NOT NULL REFERENCES rater(id),
    kind        TEXT NOT NULL CHECK (kind IN ('flag', 'skip')),
    reason      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    UNIQUE (prompt_id, rater_id, kind)
);

-- A rater's work on a prompt: the shuffled completion order shown to them,
-- active seconds spent, and when they finished it.
CREATE TABLE progress (
    rater_id     INTEGER NOT NULL REFERENCES rater(id),
    prompt_id    INTEGER NOT NULL REFERENCES prompt(id),
    shown_order  TEXT,       -- JSON array of completion idx, as displayed
    active_ms    INTEGER NOT NULL DEFAULT 0,
    finished_at  TEXT,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (rater_id, prompt_id)
) WITHOUT ROWID;
CREATE INDEX progress_prompt ON progress(prompt_id);

-- Rationale text being typed, saved every few seconds until committed.
CREATE TABLE draft (
    rater_id       INTEGER NOT NULL REFERENCES rater(id),
    completion_id  INTEGER NOT NULL REFERENCES completion(id),
    field          TEXT NOT NULL,   -- 'rationale:<aspect>' or 'critique'
    text           TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (rater_id, completion_id, field)
) WITHOUT ROWID;
CREATE INDEX draft_completion ON draft(completion_id);
