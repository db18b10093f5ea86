#!/usr/bin/env python3
"""Prototype for the next step of the collusion test (not the server's code): the same attack as
`bonafide trust collusion` (300 fakes each rating 20 of the ring +10, 10 attack edges from random honest members),
scored two ways from the same founders (the earliest tenth's most positively rated 1%, as EigenTrust.defaultSeeds):

- ppr.85: a walk with restart 0.15 over positive ratings, run to its stationary state (close to today's standing);
- early<k>/deg: SybilRank-style, k steps of the walk from the founders without restart, divided by the number of
  positive raters (the ring keeps what attack edges bring in only for k steps instead of amplifying it).

Prints, per attack seed, the ROC AUC of honest members (rated by at least 5, 80% positively) above the fakes, the
fakes among the best 1,000 and the best fake's rank.  Needs numpy and scipy.
    python3 benchmarks/collusion_prototype.py [../shared/data/trust/bitcoin-otc.csv]
"""
import random
import sys

import numpy as np
import scipy.sparse as sp
from scipy.stats import rankdata

PATH = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/trust/bitcoin-otc.csv"
FAKES, RING_DEGREE, ATTACK_EDGES = 300, 20, 10

ids = {}


def node(x):
    return ids.setdefault(x, len(ids))


ratings = []
for line in open(PATH):
    if line.strip() and not line.startswith("#"):
        a, b, r, t = line.strip().split(",")[:4]
        ratings.append((node(a), node(b), float(r), float(t)))
n0 = len(ids)
received, positive = np.zeros(n0), np.zeros(n0)
for a, b, r, _ in ratings:
    if a != b:
        received[b] += 1
        positive[b] += r > 0
honest = [i for i in range(n0) if received[i] >= 5 and positive[i] >= 0.8 * received[i]]
cut = sorted(t for *_, t in ratings)[len(ratings) // 10]
raters, distrusted = {}, set()
for a, b, r, t in ratings:
    if t <= cut and a != b:
        if r > 0:
            raters.setdefault(b, set()).add(a)
        elif r < 0:
            distrusted.add(b)
founders = sorted((k for k in raters if k not in distrusted), key=lambda k: (-len(raters[k]), k))


def auc(pos, neg):
    ranks = rankdata(np.concatenate([pos, neg]))
    return (ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def attacked(seed):
    rng = random.Random(seed)
    edges = [(a, b, r) for a, b, r, _ in ratings if a != b]
    fakes = list(range(n0, n0 + FAKES))
    for i, f in enumerate(fakes):
        edges += [(f, fakes[(i + k) % FAKES], 10.0) for k in range(1, RING_DEGREE + 1)]
    edges += [(rng.choice(honest), rng.choice(fakes), 10.0) for _ in range(ATTACK_EDGES)]
    n = n0 + FAKES
    seeds = founders[: max(1, min(100, n // 100))]
    src, dst = np.array([e[0] for e in edges]), np.array([e[1] for e in edges])
    m = sp.csr_matrix((np.array([max(e[2], 0) for e in edges]), (src, dst)), shape=(n, n))
    out = np.asarray(m.sum(1)).ravel()
    out[out == 0] = 1
    return sp.diags(1 / out) @ m, np.maximum(np.asarray((m > 0).sum(0)).ravel(), 1), fakes, seeds, n


def walk(p, n, seeds, steps, restart=None):
    start = np.zeros(n)
    start[seeds] = 1 / len(seeds)
    x = start.copy()
    for _ in range(steps):
        x = p.T @ x if restart is None else (1 - restart) * (p.T @ x) + restart * start
    return x


for seed in range(1, 6):
    p, indegree, fakes, seeds, n = attacked(seed)
    scores = {"ppr.85": walk(p, n, seeds, 100, restart=0.15)}
    for k in (5, 8):
        scores[f"early{k}/deg"] = walk(p, n, seeds, k) / indegree
    parts = []
    for name, s in scores.items():
        order = np.argsort(-s)
        best = int(np.where(np.isin(order, fakes))[0][0]) + 1
        parts.append(f"{name}: AUC {auc(s[honest], s[fakes]):.4f}, {len(set(order[:1000]) & set(fakes))} fakes in top 1000, best fake {best}")
    print(f"seed {seed}: " + " | ".join(parts))
