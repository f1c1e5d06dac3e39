#!/usr/bin/env python3
"""ref_stats.py - the benchmark's reference for `feedbench agreement` and
`feedbench conflict`: the same figures (../shared/reference/statistics.md),
computed in Python with numpy, scipy and scikit-learn (Debian's
python3-numpy, python3-scipy, python3-sklearn), reading the same sqlite
database.

  ref_stats.py agreement DB [--bootstrap B --seed S] > ref.json
  ref_stats.py conflict DB RATER [--bootstrap B --seed S] > ref.json
  ref_stats.py compare FEEDBENCH.json REF.json

agreement: every aspect with ratings, every rater (by name), as
`feedbench agreement --format json`.  conflict: one rater, the aspects it
rated, margin 1, as `feedbench conflict --rater R --format json`.
compare walks the reference's numbers and finds each in feedbench's output;
it prints how many agree (relative difference under 1e-9) and exits 1 if
any does not.  Intervals (the *_ci keys) come from different random draws,
so they are compared separately: the largest difference of an endpoint is
printed, and only a gross one (over 0.02) fails.

Vectorised throughout: each figure is a few numpy operations over arrays of
units or completion pairs, never a Python loop over units.
"""
import json
import math
import sqlite3
import sys
import warnings

import numpy as np
from scipy import stats
from sklearn.metrics import cohen_kappa_score, confusion_matrix

EPS = 1e-9
warnings.filterwarnings("ignore")  # nulls are expected: empty means, 0/0
np.seterr(all="ignore")


def load(db):
    """Ratings with a value, completions in prompt order, names."""
    con = sqlite3.connect(db)
    comp = np.array(con.execute("SELECT id, prompt_id FROM completion ORDER BY prompt_id, idx")
                    .fetchall(), dtype=np.int64).reshape(-1, 2)
    rows = np.array(con.execute("SELECT completion_id, rater_id, aspect_id, value FROM rating "
                                "WHERE value IS NOT NULL AND na = 0").fetchall(),
                    dtype=np.int64).reshape(-1, 4)
    raters = dict(con.execute("SELECT id, name FROM rater").fetchall())
    aspects = con.execute("SELECT id, name, scale_min, scale_max FROM aspect ORDER BY id").fetchall()
    con.close()
    order = np.argsort(comp[:, 0], kind="stable")
    pos = np.empty(len(comp), dtype=np.int64)
    pos[order] = np.arange(len(comp))
    cidx = pos[np.searchsorted(comp[order, 0], rows[:, 0])]
    # prompt index of every completion (completions are in prompt order)
    _, prompt_of = np.unique(comp[:, 1], return_inverse=True)
    return comp, prompt_of, rows, cidx, raters, aspects


def matrix(rows, cidx, ncomp, aspect_id, rater_ids):
    """ncomp x len(rater_ids) values of one aspect, NaN where missing."""
    x = np.full((ncomp, len(rater_ids)), np.nan)
    sel = rows[:, 2] == aspect_id
    for k, rid in enumerate(rater_ids):
        m = sel & (rows[:, 1] == rid)
        x[cidx[m], k] = rows[m, 3]
    return x


def nz(v):
    return None if v is None or not np.isfinite(v) else float(v)


# ---- agreement ----------------------------------------------------------------

def coincidence(x, lo, k):
    """Krippendorff's coincidence matrix (k x k) and the per-unit contributions."""
    present = ~np.isnan(x)
    m = present.sum(axis=1)
    keep = m >= 2
    n = np.zeros((int(keep.sum()), k))
    xs, ps = x[keep], present[keep]
    for r in range(x.shape[1]):
        rows = np.nonzero(ps[:, r])[0]
        n[rows, (xs[rows, r] - lo).astype(int)] += 1
    w = 1.0 / (m[keep] - 1)
    return n, w, keep


def coinc_from(n, w):
    return (n * w[:, None]).T @ n - np.diag((n * w[:, None]).sum(axis=0))


def alpha_from(o, lo, k, level):
    nc = o.sum(axis=1)
    n = nc.sum()
    if n == 0:
        return None
    v = lo + np.arange(k, dtype=float)
    c, e = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    if level == "nominal":
        d = (c != e).astype(float)
    elif level == "interval":
        d = (v[c] - v[e]) ** 2
    elif level == "ratio":
        d = ((v[c] - v[e]) / (v[c] + v[e])) ** 2
    else:
        cum = np.concatenate([[0], np.cumsum(nc)])
        a, b = np.minimum(c, e), np.maximum(c, e)
        d = (cum[b + 1] - cum[a] - (nc[a] + nc[b]) / 2) ** 2
        d[c == e] = 0
    dexp = (np.outer(nc, nc) * d).sum()
    if dexp <= 0:
        return None
    return 1 - (n - 1) * (o * d).sum() / dexp


def fleiss_parts(x, lo, k):
    present = ~np.isnan(x)
    m = present.sum(axis=1)
    counts = np.bincount(m, minlength=x.shape[1] + 1)
    best = 0
    for mm in range(2, x.shape[1] + 1):
        if counts[mm] > 0 and (best == 0 or counts[mm] >= counts[best]):
            best = mm
    if best == 0:
        return None, None, 0
    keep = m == best
    n = np.zeros((int(keep.sum()), k))
    for r in range(x.shape[1]):
        rows = np.nonzero(present[keep, r])[0]
        n[rows, (x[keep][rows, r] - lo).astype(int)] += 1
    pu = ((n ** 2).sum(axis=1) - best) / (best * (best - 1))
    return n, pu, best


def fleiss_from(tot, units, pusum, m):
    if units == 0:
        return None
    p = tot / (units * m)
    pe = (p ** 2).sum()
    if 1 - pe < 1e-12:
        return None
    return (pusum / units - pe) / (1 - pe)


def kappa_from(o, weights):
    k = o.shape[0]
    n = o.sum()
    if n == 0:
        return None
    i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    w = {"none": (i != j).astype(float), "linear": np.abs(i - j).astype(float),
         "quadratic": ((i - j) ** 2).astype(float)}[weights]
    exp = (w * np.outer(o.sum(axis=1), o.sum(axis=0)) / n).sum()
    return None if exp == 0 else 1 - (w * o).sum() / exp


def percentile_ci(samples):
    s = np.asarray([v for v in samples if v is not None and np.isfinite(v)])
    if len(s) < 2:
        return None
    return [float(v) for v in np.percentile(s, [2.5, 97.5])]


def multinomial_weights(rng, G, nb):
    """nb resamples of G groups with replacement: how often each group is drawn."""
    return np.stack([np.bincount(rng.integers(0, G, G), minlength=G) for _ in range(nb)]).astype(float)


def agreement(db, B, seed):
    comp, prompt_of, rows, cidx, raters, aspects = load(db)
    rater_ids = sorted(set(rows[:, 1].tolist()), key=lambda r: raters[r])
    names = [raters[r] for r in rater_ids]
    out = []
    rng = np.random.default_rng(seed)
    for aid, aname, lo, hi in aspects:
        if not (rows[:, 2] == aid).any():
            continue
        k = hi - lo + 1
        x = matrix(rows, cidx, len(comp), aid, rater_ids)
        n, w, keep = coincidence(x, lo, k)
        o = coinc_from(n, w)
        res = {"aspect": aname, "raters": names, "units": int(keep.sum()),
               "krippendorff_alpha": {lv: nz(alpha_from(o, lo, k, lv))
                                      for lv in ("nominal", "ordinal", "interval", "ratio")}}
        fn, pu, fm = fleiss_parts(x, lo, k)
        res["fleiss_kappa"] = nz(fleiss_from(fn.sum(axis=0), len(pu), pu.sum(), fm)) if fm else None
        pairs = []
        for a in range(len(names)):
            for b in range(a + 1, len(names)):
                both = ~np.isnan(x[:, a]) & ~np.isnan(x[:, b])
                y1, y2 = x[both, a].astype(int), x[both, b].astype(int)
                d = y1 - y2
                labels = list(range(lo, hi + 1))
                p = {"raters": [names[a], names[b]], "units": int(both.sum()),
                     "exact": nz(np.mean(d == 0)), "within1": nz(np.mean(np.abs(d) <= 1)),
                     "mean_diff": nz(np.mean(d)), "mean_abs_diff": nz(np.mean(np.abs(d))),
                     "cohen_kappa": nz(cohen_kappa_score(y1, y2, labels=labels)),
                     "cohen_kappa_linear": nz(cohen_kappa_score(y1, y2, labels=labels,
                                                                weights="linear")),
                     "cohen_kappa_quadratic": nz(cohen_kappa_score(y1, y2, labels=labels,
                                                                   weights="quadratic")),
                     "spearman": nz(stats.spearmanr(y1, y2)[0]),
                     "kendall_tau_b": nz(stats.kendalltau(y1, y2)[0]),
                     "confusion": confusion_matrix(y1, y2, labels=labels).tolist()}
                pairs.append((a, b, both, p))
        if B:
            # per-prompt sums: coincidences, Fleiss totals, each pair's confusion table
            G = int(prompt_of.max()) + 1 if len(prompt_of) else 0
            units = np.nonzero(keep)[0]
            S_coinc = np.zeros((G, k * k))
            contrib = (n[:, :, None] * n[:, None, :] - np.einsum("uc,ck->uck", n, np.eye(k))) \
                * w[:, None, None]
            np.add.at(S_coinc, prompt_of[units], contrib.reshape(len(units), k * k))
            S_fl = np.zeros((G, k + 2))
            if fm:
                fu = np.nonzero((~np.isnan(x)).sum(axis=1) == fm)[0]
                np.add.at(S_fl, prompt_of[fu], np.column_stack([fn, np.ones(len(fu)), pu]))
            S_pair = []
            for a, b, both, p in pairs:
                S = np.zeros((G, k * k))
                cell = (x[both, a] - lo).astype(int) * k + (x[both, b] - lo).astype(int)
                np.add.at(S, (prompt_of[both], cell), 1)
                S_pair.append(S)
            samples = {key: [] for key in ("nominal", "ordinal", "interval", "ratio", "fleiss")}
            ks = [[[], [], []] for _ in pairs]
            for start in range(0, B, 50):
                W = multinomial_weights(rng, G, min(50, B - start))
                Tc, Tf = W @ S_coinc, W @ S_fl
                Tp = [W @ S for S in S_pair]
                for bi in range(W.shape[0]):
                    ob = Tc[bi].reshape(k, k)
                    for lv in ("nominal", "ordinal", "interval", "ratio"):
                        samples[lv].append(alpha_from(ob, lo, k, lv))
                    samples["fleiss"].append(fleiss_from(Tf[bi, :k], Tf[bi, k], Tf[bi, k + 1], fm)
                                             if fm else None)
                    for q in range(len(pairs)):
                        t = Tp[q][bi].reshape(k, k)
                        for wi, wt in enumerate(("none", "linear", "quadratic")):
                            ks[q][wi].append(kappa_from(t, wt))
            for lv in ("nominal", "ordinal", "interval", "ratio"):
                res["krippendorff_alpha"][lv + "_ci"] = percentile_ci(samples[lv])
            res["fleiss_kappa_ci"] = percentile_ci(samples["fleiss"])
            for q, (a, b, both, p) in enumerate(pairs):
                for wi, key in enumerate(("cohen_kappa", "cohen_kappa_linear",
                                          "cohen_kappa_quadratic")):
                    p[key + "_ci"] = percentile_ci(ks[q][wi])
        res["pairs"] = [p for a, b, both, p in pairs]
        out.append(res)
    return {"aspects": out}


# ---- conflict ----------------------------------------------------------------

def pref(d, m):
    """pi: sign of d, 0 under the margin (NaN stays NaN-free: callers mask)."""
    p = np.where(d > EPS, 1, np.where(d < -EPS, -1, 0))
    return np.where(np.abs(d) < m - EPS, 0, p)


def conflict(db, rater, B, seed, margin=1.0):
    comp, prompt_of, rows, cidx, raters, aspects = load(db)
    rid = [r for r, nm in raters.items() if nm == rater][0]
    mine = rows[rows[:, 1] == rid]
    asp = [(aid, nm, lo, hi) for aid, nm, lo, hi in aspects if (mine[:, 2] == aid).any()]
    A = len(asp)
    r2 = float(asp[0][3] - asp[0][2]) ** 2
    s = np.full((len(comp), A), np.nan)
    for j, (aid, nm, lo, hi) in enumerate(asp):
        m = (rows[:, 1] == rid) & (rows[:, 2] == aid)
        s[cidx[m], j] = rows[m, 3]
    G = int(prompt_of.max()) + 1
    start = np.searchsorted(prompt_of, np.arange(G + 1))
    size = np.diff(start)
    # every completion pair (i < j) of every prompt, grouped by prompt size
    I, J, P = [], [], []
    for n in np.unique(size):
        ps = np.nonzero(size == n)[0]
        ii, jj = np.triu_indices(int(n), 1)
        I.append((start[ps][:, None] + ii[None, :]).ravel())
        J.append((start[ps][:, None] + jj[None, :]).ravel())
        P.append(np.repeat(ps, len(ii)))
    I, J, P = np.concatenate(I), np.concatenate(J), np.concatenate(P)
    delta = s[I] - s[J]
    dfn = ~np.isnan(delta)
    keep = dfn.any(axis=1)
    delta, dfn, P = delta[keep], dfn[keep], P[keep]
    d0 = np.where(dfn, delta, 0.0)
    pi = np.where(dfn, pref(d0, margin), 0)
    npairs = len(P)

    res = {"rater": rater, "aspects": [a[1] for a in asp], "prompts": 0, "pairs": npairs,
           "min_margin": margin}
    res["tie_rate"] = {asp[a][1]: nz(np.sum(dfn[:, a] & (pi[:, a] == 0)) / np.sum(dfn[:, a]))
                       for a in range(A)}
    cells = []
    cellC, cellD = [], []
    for a in range(A):
        for b in range(a + 1, A):
            both = dfn[:, a] & dfn[:, b]
            prod = pi[:, a] * pi[:, b]
            C, D = int(np.sum(both & (prod > 0))), int(np.sum(both & (prod < 0)))
            T = int(both.sum()) - C - D
            inten = np.sum(np.maximum(0, -d0[:, a] * d0[:, b])[both]) / r2
            cells.append({"a": asp[a][1], "b": asp[b][1], "concordant": C, "discordant": D,
                          "tied": T, "conflict_rate": nz(D / (C + D)) if C + D else None,
                          "conflict_rate_all": nz(D / (C + D + T)) if C + D + T else None,
                          "gamma": nz((C - D) / (C + D)) if C + D else None,
                          "intensity": nz(inten / (C + D + T)) if C + D + T else None})
            cellC.append(both & (prod > 0))
            cellD.append(both & (prod < 0))
    res["matrix"] = cells
    res["directional"] = {}
    for a in range(A):
        row = {}
        for b in range(A):
            if a != b:
                base = dfn[:, a] & (pi[:, a] != 0) & dfn[:, b]
                row[asp[b][1]] = nz(np.sum(base & (pi[:, a] * pi[:, b] < 0)) / base.sum()) \
                    if base.any() else None
        res["directional"][asp[a][1]] = row
    dec = (pi != 0).any(axis=1)
    inc = (pi > 0).any(axis=1) & (pi < 0).any(axis=1)
    res["pareto_incomparable"] = nz(inc.sum() / dec.sum())
    res["decisive_pairs"] = int(dec.sum())
    pp = np.bincount(P, minlength=G)
    pi_inc = np.bincount(P, weights=inc, minlength=G)
    scored = pp > 0
    score = pi_inc[scored] / pp[scored]
    res["prompts"] = int(scored.sum())
    binned = np.minimum((10 * pi_inc[scored].astype(np.int64)) // pp[scored], 9)
    res["per_prompt"] = {"mean": nz(score.mean()), "prompts_with_conflict":
                         nz(np.mean(pi_inc[scored] > 0)),
                         "histogram": np.bincount(binned, minlength=10).tolist()}
    # winners: per prompt, the completions top-rated on every aspect that rates two or more
    rated = np.add.reduceat(~np.isnan(s), start[:-1], axis=0) if len(s) else np.zeros((0, A))
    best = np.fmax.reduceat(s, start[:-1], axis=0)
    is_top = ~np.isnan(s) & (s >= best[prompt_of] - EPS)
    taking = rated >= 2
    top_all = np.all(is_top | ~taking[prompt_of], axis=1)
    winners = np.add.reduceat(top_all.astype(int), start[:-1]) > 0
    counted = (taking.sum(axis=1) >= 2) & (size >= 2)
    res["winner_disagreement"] = nz(np.mean(~winners[counted]))

    # adc_proxy
    nd = dfn.sum(axis=1)
    po = pref(np.where(nd > 0, d0.sum(axis=1) / np.maximum(nd, 1), 0), 0)

    def hits(x, y):
        return np.where(x == y, 1.0, np.where(x == 0, 0.5, 0.0))

    an = np.zeros((A, A))
    ahit = np.zeros((A, A))
    acc = {}
    base = {}
    per_prompt_adc = []
    for j in range(A):
        dj = dfn[:, j] & (pi[:, j] != 0)
        base[asp[j][1]] = nz(hits(po[dj], pi[dj, j]).mean()) if dj.any() else None
        per_prompt_adc.append((dj, hits(po, pi[:, j])))
    for i in range(A):
        acc[asp[i][1]] = {}
        for j in range(A):
            sel = dfn[:, i] & dfn[:, j] & (pi[:, j] != 0)
            an[i, j] = sel.sum()
            ahit[i, j] = hits(pi[sel, i], pi[sel, j]).sum()
            acc[asp[i][1]][asp[j][1]] = nz(ahit[i, j] / an[i, j]) if an[i, j] else None

    def adc(acc_m, base_v):
        rel, ab, used = 0.0, 0.0, 0
        for i in range(A):
            for j in range(A):
                if i == j or acc_m[i][j] is None or base_v[j] is None:
                    continue
                dd = acc_m[i][j] - base_v[j]
                rel += min(0.0, dd) ** 2
                ab += (1 - acc_m[i][j]) ** 2
                used += 1
        return (rel / used, ab / used) if used and A >= 2 else (None, None)

    rel, ab = adc([[acc[asp[i][1]][asp[j][1]] for j in range(A)] for i in range(A)],
                  [base[asp[j][1]] for j in range(A)])
    res["adc_proxy"] = {"rel": nz(rel), "abs": nz(ab), "accuracy": acc, "baseline": base}

    if B:
        # per-prompt sums: C and D per cell, decisive and incomparable, adc hits
        cols = [*cellC, *cellD, dec, inc]
        for i in range(A):
            for j in range(A):
                sel = dfn[:, i] & dfn[:, j] & (pi[:, j] != 0)
                cols += [sel, np.where(sel, hits(pi[:, i], pi[:, j]), 0)]
        for j in range(A):
            dj, h = per_prompt_adc[j]
            cols += [dj, np.where(dj, h, 0)]
        S = np.zeros((G, len(cols)))
        for c, v in enumerate(cols):
            S[:, c] = np.bincount(P, weights=v.astype(float), minlength=G)
        S = S[scored]
        rng = np.random.default_rng(seed)
        nc = len(cellC)
        rates = [[] for _ in range(nc)]
        par, rels = [], []
        for st in range(0, B, 50):
            W = multinomial_weights(rng, S.shape[0], min(50, B - st))
            T = W @ S
            for t in T:
                for c in range(nc):
                    cd = t[c] + t[nc + c]
                    rates[c].append(t[nc + c] / cd if cd else None)
                par.append(t[2 * nc + 1] / t[2 * nc] if t[2 * nc] else None)
                q = 2 * nc + 2
                am = [[None] * A for _ in range(A)]
                for i in range(A):
                    for j in range(A):
                        am[i][j] = t[q + 1] / t[q] if t[q] else None
                        q += 2
                bv = []
                for j in range(A):
                    bv.append(t[q + 1] / t[q] if t[q] else None)
                    q += 2
                rels.append(adc(am, bv)[0])
        for c in range(nc):
            res["matrix"][c]["conflict_rate_ci"] = percentile_ci(rates[c])
        res["pareto_incomparable_ci"] = percentile_ci(par)
        res["adc_proxy"]["rel_ci"] = percentile_ci(rels)
    return res


# ---- comparing ---------------------------------------------------------------

def compare(fb_path, ref_path):
    fb = json.load(open(fb_path))
    ref = json.load(open(ref_path))
    agree, bad, ci_max = 0, [], 0.0

    def find_list(fb_list, item):
        if isinstance(item, dict):
            for key in ("aspect", "raters"):
                if key in item:
                    for x in fb_list:
                        if isinstance(x, dict) and x.get(key) == item[key]:
                            if "a" in item and (x.get("a"), x.get("b")) != (item["a"], item["b"]):
                                continue
                            return x
            if "a" in item:
                for x in fb_list:
                    if (x.get("a"), x.get("b")) == (item["a"], item["b"]):
                        return x
        return None

    def walk(f, r, path):
        nonlocal agree, ci_max
        if path.endswith("_ci"):
            if r is None or f is None:
                if (r is None) != (f is None):
                    bad.append("%s: feedbench %s, reference %s" % (path, f, r))
                return
            for x, y in zip(f, r):
                ci_max = max(ci_max, abs(x - y))
            return
        if isinstance(r, dict):
            if not isinstance(f, dict):
                bad.append("%s: missing in feedbench" % path)
                return
            for key, v in r.items():
                walk(f.get(key), v, path + "." + key)
        elif isinstance(r, list) and r and isinstance(r[0], dict):
            for item in r:
                walk(find_list(f or [], item), item, path + "[]")
        elif isinstance(r, list):
            if f != r and not (isinstance(f, list) and len(f) == len(r) and all(
                    isinstance(a, (int, float)) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
                    for a, b in zip(f, r) if not isinstance(a, list))):
                bad.append("%s: feedbench %s, reference %s" % (path, f, r))
            else:
                agree += 1
        elif isinstance(r, (int, float)) and not isinstance(r, bool):
            if isinstance(f, (int, float)) and math.isclose(f, r, rel_tol=1e-9, abs_tol=1e-12):
                agree += 1
            else:
                bad.append("%s: feedbench %s, reference %s" % (path, f, r))
        elif r is None:
            if f is None:
                agree += 1
            else:
                bad.append("%s: feedbench %s, reference null" % (path, f))
        elif isinstance(r, str):
            if f != r:
                bad.append("%s: feedbench %s, reference %s" % (path, f, r))

    if isinstance(fb, dict) and "aspects" in fb and isinstance(fb["aspects"][0], dict):
        walk(fb, ref, "")
    else:
        walk(fb, ref, "")
    msg = "feedbench and the reference agree on %d figures" % agree
    if ci_max:
        msg += "; bootstrap intervals differ by at most %.4f (independent random draws)" % ci_max
    if bad:
        print("MISMATCH: %d figures differ, e.g.:" % len(bad))
        for b in bad[:10]:
            print("  " + b)
        print(msg)
        return 1
    if ci_max > 0.02:
        print("MISMATCH: " + msg)
        return 1
    print(msg)
    return 0


def main():
    args = sys.argv[1:]
    B, seed = 0, 1
    if "--bootstrap" in args:
        k = args.index("--bootstrap")
        B = int(args[k + 1])
        del args[k:k + 2]
    if "--seed" in args:
        k = args.index("--seed")
        seed = int(args[k + 1])
        del args[k:k + 2]
    if args[0] == "agreement":
        json.dump(agreement(args[1], B, seed), sys.stdout)
    elif args[0] == "conflict":
        json.dump(conflict(args[1], args[2], B, seed), sys.stdout)
    elif args[0] == "compare":
        sys.exit(compare(args[1], args[2]))
    else:
        sys.exit("usage: ref_stats.py agreement DB | conflict DB RATER | compare A B")


main()
