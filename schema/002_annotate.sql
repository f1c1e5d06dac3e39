-- feedbench schema, version 2: where each rater stopped in the workbench.
-- Kept apart from progress.updated_at, whose millisecond times can tie.
CREATE TABLE rater_state (
    rater_id    INTEGER PRIMARY KEY REFERENCES rater(id),
    prompt_id   INTEGER REFERENCES prompt(id),
    updated_at  TEXT NOT NULL
);
