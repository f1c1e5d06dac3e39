#!/usr/bin/env python3
"""Reference importer for the import benchmark: UltraFeedback JSONL -> feedbench database.

    python3 tests/bench/ref_import.py DB FILE [DATASET]

Standard library only.  Creates DB from schema/*.sql when it has no schema yet
(in order, recording PRAGMA user_version, as feedbench does), then stores the rows `feedbench import`
stores: dataset, import_log, prompt (hash = SHA-256 hex of the UTF-8 instruction),
dataset_prompt, completion (hash = SHA-256 hex of the UTF-8 response, idx from 0),
the rater 'gpt-4' (kind 'llm'), the four UltraFeedback aspects, one rating row per
(completion, aspect) and one critique row per completion.  DATASET defaults to the
file name without its extension.

Mapping, per aspect annotation (either an object or, in pre-release dumps, a list
holding one object):
  Rating "1".."5"           -> value = int, na = 0   ("4/5" reads as 4)
  Rating "N/A"              -> value NULL, na = 1
  Rating missing/unreadable -> value NULL, na = 0    (missing, never 0)
  Rationale                 -> rationale
  Type                      -> types: JSON array of the real type ids ("1".."3");
                               "None", ["None"], ["0"] and [] all mean none -> '[]';
                               NULL when the annotation has no Type key
  Rationale For Rating      -> rationale2
correct_answers / incorrect_answers: JSON array text, NULL for ["None"] or [].
A record that is not a JSON object with a string instruction is counted as skipped.

Durability as in feedbench: WAL, synchronous=NORMAL, foreign keys on, one
transaction per 1000 records.
"""
import datetime
import hashlib
import json
import os
import re
import sqlite3
import sys

BATCH = 1000
RATER = "gpt-4"
# name, title, scale_min, scale_max, allow_na (titles as in rubrics/)
ASPECTS = [
    ("instruction_following", "Instruction following", 1, 5, 0),
    ("honesty", "Honesty and uncertainty", 1, 5, 1),
    ("truthfulness", "Truthfulness (hallucination)", 1, 5, 0),
    ("helpfulness", "Helpfulness (informativeness)", 1, 5, 0),
]
SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schema")
FIRST_INT = re.compile(r"\d+")
NO_TYPE = {"", "0", "none", "null"}


def now_iso():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_json(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def answer_list(value):
    if not isinstance(value, list):
        return None
    items = [str(v) for v in value if v is not None]
    if not items or items == ["None"]:
        return None
    return to_json(items)


def parse_rating(raw, lo, hi, allow_na):
    """(value, na) for a raw Rating."""
    if raw is None:
        return None, 0
    text = str(raw).strip()
    if text.upper() == "N/A":
        return (None, 1) if allow_na else (None, 0)
    m = FIRST_INT.search(text)
    if not m:
        return None, 0
    v = int(m.group())
    return (v, 0) if lo <= v <= hi else (None, 0)


def parse_types(raw):
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        return "[]"
    ids = [str(t).strip() for t in raw]
    return to_json([t for t in ids if t.lower() not in NO_TYPE])


def text_or_none(v):
    return v if isinstance(v, str) else None


def number_or_none(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.split("/")[0])
        except ValueError:
            return None
    return None


def open_db(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    if db.execute("PRAGMA user_version").fetchone()[0] == 0:
        # every migration, in order, as feedbench applies them
        for name in sorted(os.listdir(SCHEMA_DIR)):
            if not name.endswith(".sql"):
                continue
            with open(os.path.join(SCHEMA_DIR, name), encoding="utf-8") as f:
                sql = f.read()
            version = int(name.split("_", 1)[0])
            db.executescript("BEGIN;\n" + sql + "\nPRAGMA user_version = %d;\nCOMMIT;" % version)
    return db


def setup(db, dataset, path, started):
    db.execute("BEGIN")
    db.execute("INSERT INTO dataset (name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
               (dataset, started))
    dataset_id = db.execute("SELECT id FROM dataset WHERE name = ?", (dataset,)).fetchone()[0]
    cur = db.execute("INSERT INTO import_log (dataset_id, path, format, started_at) "
                     "VALUES (?, ?, 'ultrafeedback', ?)", (dataset_id, path, started))
    log_id = cur.lastrowid
    db.execute("INSERT INTO rater (name, kind, model) VALUES (?, 'llm', ?) "
               "ON CONFLICT(name) DO NOTHING", (RATER, RATER))
    rater_id = db.execute("SELECT id FROM rater WHERE name = ?", (RATER,)).fetchone()[0]
    aspects = []
    for name, title, lo, hi, na in ASPECTS:
        db.execute("INSERT INTO aspect (name, title, scale_min, scale_max, allow_na) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO NOTHING",
                   (name, title, lo, hi, na))
        aid = db.execute("SELECT id FROM aspect WHERE name = ?", (name,)).fetchone()[0]
        aspects.append((name, aid, lo, hi, na))
    db.execute("COMMIT")
    return dataset_id, log_id, rater_id, aspects


SQL_PROMPT = ("INSERT INTO prompt (hash, instruction, source, external_id, correct_answers, "
              "incorrect_answers, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT(hash) DO NOTHING")
SQL_COMPLETION = ("INSERT INTO completion (prompt_id, idx, hash, model, principle, system_prompt, "
                  "response) VALUES (?, ?, ?, ?, ?, ?, ?)")
SQL_RATING = ("INSERT INTO rating (completion_id, rater_id, aspect_id, value, na, rationale, types, "
              "rationale2, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT(completion_id, rater_id, aspect_id) DO UPDATE SET "
              "value = excluded.value, na = excluded.na, rationale = excluded.rationale, "
              "types = excluded.types, rationale2 = excluded.rationale2, "
              "updated_at = excluded.updated_at")
SQL_CRITIQUE = ("INSERT INTO critique (completion_id, rater_id, text, overall_score, "
                "fine_grained_score, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(completion_id, rater_id) DO UPDATE SET text = excluded.text, "
                "overall_score = excluded.overall_score, "
                "fine_grained_score = excluded.fine_grained_score, "
                "updated_at = excluded.updated_at")


def store_record(db, rec, dataset_id, rater_id, aspects, now):
    instruction = rec["instruction"]
    phash = sha256_hex(instruction)
    ext = rec.get("id")
    cur = db.execute(SQL_PROMPT, (phash, instruction, text_or_none(rec.get("source")),
                                  None if ext is None else str(ext),
                                  answer_list(rec.get("correct_answers")),
                                  answer_list(rec.get("incorrect_answers")), now))
    if cur.rowcount:
        prompt_id, is_new = cur.lastrowid, True
    else:
        prompt_id = db.execute("SELECT id FROM prompt WHERE hash = ?", (phash,)).fetchone()[0]
        is_new = False
    db.execute("INSERT OR IGNORE INTO dataset_prompt (dataset_id, prompt_id) VALUES (?, ?)",
               (dataset_id, prompt_id))

    models = rec.get("models") if isinstance(rec.get("models"), list) else []
    completions = rec.get("completions")
    if not isinstance(completions, list):
        return
    next_idx = 0
    if not is_new:
        next_idx = db.execute("SELECT coalesce(max(idx) + 1, 0) FROM completion "
                              "WHERE prompt_id = ?", (prompt_id,)).fetchone()[0]
    for i, comp in enumerate(completions):
        if not isinstance(comp, dict) or not isinstance(comp.get("response"), str):
            continue
        response = comp["response"]
        chash = sha256_hex(response)
        completion_id = None
        if not is_new:
            row = db.execute("SELECT id FROM completion WHERE prompt_id = ? AND hash = ?",
                             (prompt_id, chash)).fetchone()
            if row:
                completion_id = row[0]
        if completion_id is None:
            model = comp.get("model")
            if not isinstance(model, str) and i < len(models):
                model = models[i]
            cur = db.execute(SQL_COMPLETION, (prompt_id, next_idx, chash, text_or_none(model),
                                              text_or_none(comp.get("principle")),
                                              text_or_none(comp.get("custom_system_prompt")),
                                              response))
            completion_id = cur.lastrowid
            next_idx += 1

        ann = comp.get("annotations")
        if isinstance(ann, dict):
            rows = []
            for name, aspect_id, lo, hi, allow_na in aspects:
                a = ann.get(name)
                if isinstance(a, list):  # pre-release shape
                    a = a[0] if a else None
                if not isinstance(a, dict):
                    continue
                value, na = parse_rating(a.get("Rating"), lo, hi, allow_na)
                types = parse_types(a["Type"]) if "Type" in a else None
                rows.append((completion_id, rater_id, aspect_id, value, na,
                             text_or_none(a.get("Rationale")), types,
                             text_or_none(a.get("Rationale For Rating")), now))
            db.executemany(SQL_RATING, rows)

        critique = text_or_none(comp.get("critique"))
        overall = number_or_none(comp.get("overall_score"))
        fine = number_or_none(comp.get("fine-grained_score"))
        if critique is not None or overall is not None or fine is not None:
            db.execute(SQL_CRITIQUE, (completion_id, rater_id, critique, overall, fine, now))


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write("usage: ref_import.py DB FILE [DATASET]\n")
        return 2
    db_path, path = argv[1], argv[2]
    dataset = argv[3] if len(argv) == 4 else os.path.splitext(os.path.basename(path))[0]
    started = now_iso()
    db = open_db(db_path)
    dataset_id, log_id, rater_id, aspects = setup(db, dataset, path, started)

    records = skipped = pending = 0
    now = now_iso()
    db.execute("BEGIN")
    with open(path, encoding="utf-8-sig") as f:  # tolerate a BOM
        for line in f:
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                skipped += 1
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("instruction"), str):
                skipped += 1
                continue
            store_record(db, rec, dataset_id, rater_id, aspects, now)
            records += 1
            pending += 1
            if pending == BATCH:
                db.execute("UPDATE import_log SET records = ?, skipped = ? WHERE id = ?",
                           (records, skipped, log_id))
                db.execute("COMMIT")
                now = now_iso()
                db.execute("BEGIN")
                pending = 0
    db.execute("UPDATE import_log SET records = ?, skipped = ? WHERE id = ?",
               (records, skipped, log_id))
    db.execute("COMMIT")
    db.close()
    print("%s: %d records, %d skipped" % (path, records, skipped))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
