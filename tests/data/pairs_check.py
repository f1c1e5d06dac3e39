#!/usr/bin/env python3
"""Independent checker for `feedbench export` pair files (used by tests/data/export_*.sh).

    pairs_check.py check DB [--min-margin X] [--exclude-source S]... [--exclude-flagged]
                            [--only-agreed] [--partial] FILE:FORMAT...
    pairs_check.py reimported DB2 FILE FORMAT
    pairs_check.py splits TRAIN TEST FORMAT

`check` recomputes every score from the database with its own code (standard library
only) and asserts, line by line and prompt by prompt:
  - the strategy, score rule, raters and ties in the provenance are what was asked;
  - the scores printed (score_chosen, chosen-rating, ...) and the margin are the
    recomputed ones; chosen >= rejected, strictly when ties are dropped; margin >= X;
  - for best-* and per-aspect: the chosen one is the FIRST completion with the best
    score; best-worst's rejected has the lowest eligible score;
  - the number of pairs per prompt is what the strategy must give (1 for best-random
    and best-worst when an eligible rival exists, every eligible rival for best-all,
    every eligible unordered pair for all-pairs), so no prompt is missing or extra
    (with --partial, for a split file: only for the prompts it holds);
  - excluded sources and flagged prompts are absent; with --only-agreed every rater
    orders the pair the same way; prompt_id is the SHA-256 of the prompt;
  - input_sha256 is the digest of the prompt's inputs as pairs.h documents it.
Prints one summary line; exits 1 listing the first violations.
`reimported` compares the (prompt, chosen, rejected) texts of FILE with the preference
rows of DB2 (FILE imported into an empty database).  `splits` checks that no prompt is
in both files.
"""
import hashlib
import json
import math
import sqlite3
import sys

TOL = 1e-9


def cmp(a, b):
    m = max(abs(a), abs(b), 1.0)
    d = a - b
    return 1 if d > TOL * m else -1 if d < -TOL * m else 0


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def texts_of(rec, fmt):
    """(prompt, chosen response, rejected response, chosen score, rejected score)."""
    def last_assistant(msgs):
        return [m["content"] for m in msgs if m["role"] == "assistant"][-1]
    if fmt == "h4":
        assert rec["messages"] == rec["chosen"], "messages differs from chosen"
        assert rec["chosen"][0] == {"role": "user", "content": rec["prompt"]}
        assert rec["prompt_id"] == sha(rec["prompt"]), "prompt_id is not the SHA-256"
        return (rec["prompt"], last_assistant(rec["chosen"]), last_assistant(rec["rejected"]),
                rec["score_chosen"], rec["score_rejected"])
    if fmt == "argilla":
        return (rec["prompt"], last_assistant(rec["chosen"]), last_assistant(rec["rejected"]),
                rec["chosen-rating"], rec["rejected-rating"])
    if fmt == "trl":
        return rec["prompt"], rec["chosen"], rec["rejected"], None, None
    if fmt == "trl-chat":
        assert len(rec["prompt"]) == 1 and rec["prompt"][0]["role"] == "user"
        return (rec["prompt"][0]["content"], last_assistant(rec["chosen"]),
                last_assistant(rec["rejected"]), None, None)
    raise SystemExit("no texts for format " + fmt)


class Data:
    """The database as the checker sees it: prompts, completions, every score."""

    def __init__(self, path):
        db = sqlite3.connect(path)
        self.prompts = {}
        for pid, h, ins, src in db.execute("SELECT id, hash, instruction, source FROM prompt"):
            self.prompts[ins] = {"id": pid, "hash": h, "source": src, "c": []}
        byid = {p["id"]: p for p in self.prompts.values()}
        comp = {}
        for cid, pid, idx, h, model, resp in db.execute(
                "SELECT id, prompt_id, idx, hash, model, response FROM completion "
                "ORDER BY prompt_id, idx"):
            c = {"idx": idx, "hash": h, "model": model, "response": resp, "v": {}}
            byid[pid]["c"].append(c)
            comp[cid] = c
        names = dict(db.execute("SELECT id, name FROM rater"))
        aspects = dict(db.execute("SELECT id, name FROM aspect"))
        for cid, rid, ov, fine in db.execute(
                "SELECT completion_id, rater_id, overall_score, fine_grained_score FROM critique"):
            if ov is not None:
                comp[cid]["v"][(names[rid], "overall_score")] = float(ov)
            if fine is not None:
                comp[cid]["v"][(names[rid], "fine_grained_score")] = float(fine)
        for cid, rid, aid, val, na in db.execute(
                "SELECT completion_id, rater_id, aspect_id, value, na FROM rating"):
            comp[cid]["v"][(names[rid], aspects[aid])] = (
                float(val) if val is not None else "N/A" if na else "")
        self.aspects = [a for (a,) in db.execute("SELECT name FROM aspect")]
        self.flagged = {ins for (ins,) in db.execute(
            "SELECT DISTINCT p.instruction FROM flag f JOIN prompt p ON p.id = f.prompt_id "
            "WHERE f.kind = 'flag'")}


def rater_score(c, rater, rule, aspect):
    """One rater's score for a completion under the rule, or None."""
    v = c["v"]
    if aspect:
        x = v.get((rater, aspect))
        return x if isinstance(x, float) else None
    if rule in ("overall", "fine-grained"):
        return v.get((rater, "overall_score" if rule == "overall" else "fine_grained_score"))
    if rule == "mean":
        vals = [x for (r, f), x in v.items() if r == rater and isinstance(x, float)
                and f not in ("overall_score", "fine_grained_score")]
        return sum(vals) / len(vals) if vals else None
    num = den = 0.0
    for part in rule.split(","):
        name, _, w = part.partition("=")
        w = float(w) if w else 1.0
        x = v.get((rater, name))
        if isinstance(x, float):
            num += w * x
            den += w
    return num / den if den > 0 else None


def scores(p, raters, rule, aspect):
    """Per completion: (consensus score or None, per-rater scores)."""
    out = []
    for c in p["c"]:
        rs = [rater_score(c, r, rule, aspect) for r in raters]
        cs = sum(rs) / len(rs) if all(x is not None for x in rs) else None
        out.append((cs, rs))
    return out


def digest(p, raters, exclude_flagged, flagged):
    """The per-prompt input digest, as pairs.h documents it."""
    def esc(s):
        if s is None:
            return "\\N"
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    def val(x):
        if x == "N/A" or x == "":
            return x
        if x == int(x) and abs(x) < 1e15:
            return str(int(x))
        return "%.17g" % x
    lines = ["prompt\t" + p["hash"], "source\t" + esc(p["source"])]
    for c in p["c"]:
        lines.append("completion\t%d\t%s\t%s" % (c["idx"], c["hash"], esc(c["model"])))
        for r in sorted(raters):
            for (rr, f), x in sorted(c["v"].items(), key=lambda kv: kv[0][1]):
                if rr == r and (f in loaded_fields):
                    lines.append("score\t%d\t%s\t%s\t%s" % (c["idx"], esc(r), f, val(x)))
    if exclude_flagged and flagged:
        lines.append("flagged")
    return sha("\n".join(lines) + "\n")


loaded_fields = set()


def eligible(ps, a, b, ties_keep, min_margin, only_agreed):
    sa, ra = ps[a]
    sb, rb = ps[b]
    c = cmp(sa, sb)
    if c == 0 and not ties_keep:
        return False
    if min_margin is not None and cmp(sa - sb, min_margin) < 0:
        return False
    if only_agreed:
        signs = {cmp(x, y) for x, y in zip(ra, rb)}
        if len(signs) != 1:
            return False
    return True


def expected_count(strategy, ps, ties_keep, mm, oa):
    scored = [i for i, (s, _) in enumerate(ps) if s is not None]
    if len(scored) < 2:
        return 0
    if strategy == "all-pairs":
        n = 0
        for x in range(len(scored)):
            for y in range(x + 1, len(scored)):
                i, j = scored[x], scored[y]
                a, b = (j, i) if cmp(ps[j][0], ps[i][0]) > 0 else (i, j)
                n += eligible(ps, a, b, ties_keep, mm, oa)
        return n
    best = first_best(ps)
    k = sum(eligible(ps, best, i, ties_keep, mm, oa) for i in scored if i != best)
    return k if strategy == "best-all" else min(k, 1)


def first_best(ps):
    best = None
    for i, (s, _) in enumerate(ps):
        if s is not None and (best is None or cmp(s, ps[best][0]) > 0):
            best = i
    return best


def check(dbpath, path, fmt, opts):
    mm = None
    excl = set()
    exclude_flagged = only_agreed = partial = False
    i = 0
    while i < len(opts):
        if opts[i] == "--min-margin":
            mm = float(opts[i + 1])
            i += 1
        elif opts[i] == "--exclude-source":
            excl.add(opts[i + 1])
            i += 1
        elif opts[i] == "--exclude-flagged":
            exclude_flagged = True
        elif opts[i] == "--only-agreed":
            only_agreed = True
        elif opts[i] == "--partial":
            partial = True
        else:
            raise SystemExit("unknown option " + opts[i])
        i += 1
    data = Data(dbpath)
    loaded_fields.clear()
    first = open(path, encoding="utf-8").readline()
    if first:
        # the fields the export read: critique scores for overall and fine-grained,
        # aspect ratings otherwise
        prov = json.loads(first)["provenance"]
        if prov["strategy"] != "per-aspect" and prov["score"] in ("overall", "fine-grained"):
            loaded_fields.update({"overall_score", "fine_grained_score"})
        else:
            loaded_fields.update(data.aspects)
    errors = []
    per_key = {}
    lines = 0
    prov0 = None
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        rec = json.loads(line)
        lines += 1
        prov = rec["provenance"]
        prov0 = prov0 or prov
        for k in ("strategy", "score", "raters", "ties", "seed", "min_margin", "only_agreed"):
            if prov[k] != prov0[k]:
                errors.append("line %d: provenance %s changes" % (n, k))
        strategy, rule, raters = prov["strategy"], prov["score"], prov["raters"]
        ties_keep = prov["ties"] == "keep"
        aspect = prov["aspect"]
        if fmt == "kto":
            prompt = rec["prompt"]
        else:
            prompt, ctext, rtext, cshown, rshown = texts_of(rec, fmt)
        p = data.prompts.get(prompt)
        if p is None:
            errors.append("line %d: prompt not in the database" % n)
            continue
        if p["source"] in excl:
            errors.append("line %d: excluded source %s" % (n, p["source"]))
        if exclude_flagged and prompt in data.flagged:
            errors.append("line %d: flagged prompt" % n)
        ps = scores(p, raters, rule, aspect)
        resp = [c["response"] for c in p["c"]]
        if prov["input_sha256"] != digest(p, raters, exclude_flagged, prompt in data.flagged):
            errors.append("line %d: input_sha256 is not the documented digest" % n)
        best = first_best(ps)
        if fmt == "kto":
            k = resp.index(rec["completion"])
            s = ps[k][0]
            if strategy != "all-pairs" and rec["label"] and k != best:
                errors.append("line %d: desirable but not the first best" % n)
            if not rec["label"] and cmp(s, ps[best][0]) > 0:
                errors.append("line %d: undesirable above the best" % n)
            if not rec["label"] and not ties_keep and cmp(s, ps[best][0]) == 0 and \
                    strategy != "all-pairs":
                errors.append("line %d: undesirable ties the best with ties dropped" % n)
            continue
        a, b = resp.index(ctext), resp.index(rtext)
        sa, sb = ps[a][0], ps[b][0]
        if sa is None or sb is None:
            errors.append("line %d: an unscored completion in a pair" % n)
            continue
        if cshown is not None and (cmp(cshown, sa) or cmp(rshown, sb)):
            errors.append("line %d: printed scores %s/%s, recomputed %s/%s" %
                          (n, cshown, rshown, sa, sb))
        if cmp(prov["margin"], sa - sb):
            errors.append("line %d: margin %s, recomputed %s" % (n, prov["margin"], sa - sb))
        if cmp(sa, sb) < 0 or (not ties_keep and cmp(sa, sb) == 0):
            errors.append("line %d: chosen %s vs rejected %s" % (n, sa, sb))
        if mm is not None and cmp(sa - sb, mm) < 0:
            errors.append("line %d: margin %s below %s" % (n, sa - sb, mm))
        if strategy != "all-pairs" and a != best:
            errors.append("line %d: chosen idx %d is not the first best %d" % (n, a, best))
        if not eligible(ps, a, b, ties_keep, mm, only_agreed):
            errors.append("line %d: the pair is not eligible" % n)
        if strategy == "best-worst":
            low = min(ps[i][0] for i in range(len(ps)) if i != best and ps[i][0] is not None
                      and eligible(ps, best, i, ties_keep, mm, only_agreed))
            if cmp(sb, low):
                errors.append("line %d: rejected %s is not the worst %s" % (n, sb, low))
        key = (prompt, aspect)
        per_key.setdefault(key, []).append((a, b))
    # completeness: every prompt (and aspect) has exactly the pairs the strategy gives
    if fmt != "kto" and prov0:
        strategy, rule, raters = prov0["strategy"], prov0["score"], prov0["raters"]
        ties_keep = prov0["ties"] == "keep"
        aspects = rule.split(",") if strategy == "per-aspect" else [None]
        held = {k[0] for k in per_key}
        for prompt, p in data.prompts.items():
            if p["source"] in excl or (exclude_flagged and prompt in data.flagged):
                continue
            if partial and prompt not in held:
                continue
            for asp in aspects:
                ps = scores(p, raters, rule, asp)
                want = expected_count(strategy, ps, ties_keep, mm, only_agreed)
                got = per_key.get((prompt, asp), [])
                if len(got) != want or len(set(got)) != len(got):
                    errors.append("prompt %r%s: %d pairs, expected %d" %
                                  (prompt[:30], " / " + asp if asp else "", len(got), want))
    what = "%s %s" % (fmt, prov0["strategy"] if prov0 else "(empty)")
    if errors:
        print("%s: %d problems" % (what, len(errors)))
        for e in errors[:10]:
            print("  " + e)
        return False
    print("%s: %d lines ok" % (what, lines))
    return True


def triples(path, fmt):
    out = set()
    for line in open(path, encoding="utf-8"):
        rec = json.loads(line)
        p, c, r, _, _ = texts_of(rec, fmt)
        out.add((p, c, r))
    return out


def reimported(args):
    db2, path, fmt = args
    got = set(sqlite3.connect(db2).execute(
        "SELECT p.instruction, c1.response, c2.response FROM preference x "
        "JOIN prompt p ON p.id = x.prompt_id JOIN completion c1 ON c1.id = x.chosen_id "
        "JOIN completion c2 ON c2.id = x.rejected_id"))
    want = triples(path, fmt)
    if got != want:
        print("%s: re-imported pairs differ: %d only in the file, %d only in the database" %
              (fmt, len(want - got), len(got - want)))
        sys.exit(1)
    print("%s: re-import gives the same %d pairs" % (fmt, len(want)))


def splits(args):
    train, test, fmt = args

    def prompts(path):
        out = set()
        for line in open(path, encoding="utf-8"):
            rec = json.loads(line)
            p = rec["prompt"]
            out.add(p[0]["content"] if isinstance(p, list) else p)
        return out
    a, b = prompts(train), prompts(test)
    both = a & b
    print("%s: train %d prompts, test %d prompts, in both %d" % (fmt, len(a), len(b), len(both)))
    if both:
        sys.exit(1)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "check":
        files = [a for a in sys.argv[3:] if ":" in a and not a.startswith("-")]
        opts = [a for a in sys.argv[3:] if a not in files]
        ok = True
        for f in files:
            path, fmt = f.rsplit(":", 1)
            ok &= check(sys.argv[2], path, fmt, opts)
        sys.exit(0 if ok else 1)
    elif cmd == "reimported":
        reimported(sys.argv[2:])
    elif cmd == "splits":
        splits(sys.argv[2:])
    else:
        raise SystemExit(__doc__)
