#!/usr/bin/env python3
"""Reference exporter for the export benchmark: Python's standard library only.

    python3 tests/bench/ref_export.py DB h4 OUT          # = feedbench export --preset h4 -o OUT
    python3 tests/bench/ref_export.py DB all-pairs OUT   # = feedbench export --format trl
                                                         #   --strategy all-pairs -o OUT

Reads the same feedbench database and makes the same selection, line for line and byte
for byte, so the benchmark can compare the files with cmp:
  - the only rater with critique scores; score = critique overall_score; a completion
    without one is left out; a prompt needs two scored completions;
  - h4: source truthful_qa dropped; chosen = the first completion with the highest
    score; rejected drawn uniformly among the others (ties kept) with feedbench's
    generator: xoshiro256** seeded by splitmix64 from 42 XOR the first 64 bits of the
    prompt's SHA-256, one rng_below(k) per prompt (see src/pairs.h);
  - all-pairs: every pair with different scores, the higher chosen, each prompt's pairs
    from the largest margin down (stable);
  - each line ends with feedbench's provenance object, including the prompt's input
    digest (the canonical text of src/pairs.h, hashed with SHA-256).
Streams the rows in prompt order like feedbench (one prompt in memory at a time) and
writes OUT through a temporary file renamed at the end.
"""
import hashlib
import json
import os
import sqlite3
import sys

M64 = (1 << 64) - 1
VERSION = "0.1.0"


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


class Rng:
    def __init__(self, seed):
        self.s = []
        for _ in range(4):
            seed, v = splitmix64(seed)
            self.s.append(v)

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M64
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, n):
        lim = M64 - M64 % n
        while True:
            x = self.next()
            if x < lim:
                return x % n


def esc(s):
    if s is None:
        return "\\N"
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def val(x):
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return "%.17g" % x


def digest(phash, source, comps, rater):
    out = ["prompt\t%s\nsource\t%s\n" % (phash, esc(source))]
    for c in comps:
        out.append("completion\t%d\t%s\t%s\n" % (c["idx"], c["hash"], esc(c["model"])))
        # fields sorted by name: fine_grained_score before overall_score
        for name, v in (("fine_grained_score", c["fine"]), ("overall_score", c["overall"])):
            if v is not None:
                out.append("score\t%d\t%s\t%s\t%s\n" % (c["idx"], esc(rater), name, val(v)))
    return hashlib.sha256("".join(out).encode("utf-8")).hexdigest()


def js(s):
    return json.dumps(s, ensure_ascii=False)


def num(x):
    return repr(float(x))


def main():
    dbpath, mode, out = sys.argv[1:4]
    db = sqlite3.connect(dbpath)
    raters = db.execute("SELECT id, name FROM rater r WHERE EXISTS (SELECT 1 FROM critique "
                        "WHERE rater_id = r.id) ORDER BY name").fetchall()
    if len(raters) != 1:
        raise SystemExit("need exactly one rater with critique scores")
    rid, rater = raters[0]
    h4 = mode == "h4"
    head = (',"provenance":{"preset":%s,"strategy":%s,"score":"overall","raters":[%s],'
            '"ties":"%s","min_margin":null,"only_agreed":false,"seed":42,"feedbench":"%s",'
            '"dataset":null,"aspect":null,"margin":' %
            ('"h4"' if h4 else "null", '"best-random"' if h4 else '"all-pairs"', js(rater),
             "keep" if h4 else "drop", VERSION))
    comps = db.execute(
        "SELECT p.id, p.hash, p.instruction, p.source, c.idx, c.hash, c.model, c.response "
        "FROM prompt p LEFT JOIN completion c ON c.prompt_id = p.id ORDER BY p.id, c.idx")
    crit = db.cursor().execute(
        "SELECT p.id, c.idx, k.overall_score, k.fine_grained_score FROM prompt p CROSS JOIN "
        "completion c CROSS JOIN critique k WHERE c.prompt_id = p.id AND "
        "k.completion_id = c.id AND k.rater_id = ? ORDER BY p.id, c.idx", (rid,))
    pending = next(crit, None)
    tmp = out + ".tmp-ref"
    f = open(tmp, "w", encoding="utf-8", newline="\n")

    def flush(prompt):
        nonlocal pending
        pid, phash, instruction, source, cs = prompt
        while pending is not None and pending[0] <= pid:
            if pending[0] == pid:
                for c in cs:
                    if c["idx"] == pending[1]:
                        c["overall"], c["fine"] = pending[2], pending[3]
            pending = next(crit, None)
        if h4 and source == "truthful_qa":
            return
        scored = [i for i, c in enumerate(cs) if c["overall"] is not None]
        if len(scored) < 2:
            return
        pairs = []
        if h4:
            best = scored[0]
            for i in scored:
                if cs[i]["overall"] > cs[best]["overall"]:
                    best = i
            rivals = [i for i in scored if i != best]
            rng = Rng(42 ^ int(phash[:16], 16))
            pairs.append((best, rivals[rng.below(len(rivals))]))
        else:
            for x in range(len(scored)):
                for y in range(x + 1, len(scored)):
                    i, j = scored[x], scored[y]
                    if cs[i]["overall"] == cs[j]["overall"]:
                        continue
                    pairs.append((i, j) if cs[i]["overall"] > cs[j]["overall"] else (j, i))
            pairs.sort(key=lambda ab: cs[ab[1]]["overall"] - cs[ab[0]]["overall"])
        tail = ',"input_sha256":"%s"}}\n' % digest(phash, source, cs, rater)
        p = js(instruction)
        for a, b in pairs:
            ca, cb = cs[a], cs[b]
            margin = num(ca["overall"] - cb["overall"])
            if h4:
                chosen = '[{"role":"user","content":%s},{"role":"assistant","content":%s}]' % (
                    p, js(ca["response"]))
                rejected = '[{"role":"user","content":%s},{"role":"assistant","content":%s}]' % (
                    p, js(cb["response"]))
                f.write('{"prompt":%s,"prompt_id":"%s","chosen":%s,"rejected":%s,"messages":%s,'
                        '"score_chosen":%s,"score_rejected":%s%s%s%s' %
                        (p, phash, chosen, rejected, chosen, num(ca["overall"]),
                         num(cb["overall"]), head, margin, tail))
            else:
                f.write('{"prompt":%s,"chosen":%s,"rejected":%s%s%s%s' %
                        (p, js(ca["response"]), js(cb["response"]), head, margin, tail))

    prompt = None
    for pid, phash, instruction, source, idx, chash, model, response in comps:
        if prompt is None or prompt[0] != pid:
            if prompt is not None:
                flush(prompt)
            prompt = (pid, phash, instruction, source, [])
        if idx is not None:
            prompt[4].append({"idx": idx, "hash": chash, "model": model, "response": response,
                              "overall": None, "fine": None})
    if prompt is not None:
        flush(prompt)
    f.close()
    os.rename(tmp, out)


if __name__ == "__main__":
    main()
