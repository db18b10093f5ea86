#!/usr/bin/env python3
"""Deterministic rating graph for benchmarks/trust.sh, written as SNAP CSV (SOURCE,TARGET,RATING,TIME).

    trust_gen.py --nodes N --edges M --seeds K --seed S --out DIR

Writes DIR/edges.csv (M lines, no header, in time order), DIR/seeds.txt (K node ids), DIR/update.csv
(one new rating: the first seed rates a node it had not rated, 10) and DIR/meta.json.

Shape: a fifth of the nodes never rate anyone (dangling); every node takes part in at least one
rating. Raters are drawn from a Zipf-like law over a random node order (weight (r + 10)^-0.6 for
rank r); 90% of ratings go to someone in the rater's community (log-normal sizes around 1,000,
Zipf-like (r + 10)^-0.9 inside it), the rest to the whole graph by the same law, so in-degrees are
heavy-tailed and some pairs repeat. 0.5% of the raters sit in closed rings of three who rate only
each other: with the communities this makes the walk settle about as slowly as on real graphs
(~110 power iterations to an L1 change of 1e-10, where a uniform random graph needs ~20).
Ratings 1..10, skewed to the high end as on bitcoin-otc; times increase. Node ids are 1..N in a
shuffled order. Vectorized with numpy: 1M nodes / 10M ratings take about 10 s.
"""
import argparse
import json
import os
import time

import numpy as np

OUT_EXPONENT, IN_EXPONENT, RANK_OFFSET = 0.6, 0.9, 10.0
LOCAL_SHARE = 0.9  # ratings that stay in the rater's community
COMMUNITY_MEAN = 1000  # nodes; sizes are log-normal
RING_SHARE, RING_SIZE = 0.005, 3  # raters in closed rings who rate only each other
RATING_WEIGHTS = np.array([4, 1, 1, 1, 3, 4, 6, 10, 12, 14], dtype=np.float64)


def zipf_rank(rng, k, size, exponent):
    """k ranks in [0, size): rank r with density ~ (r + 10)^-exponent (inverse CDF of the continuous law)."""
    g = 1.0 - exponent
    lo, hi = RANK_OFFSET ** g, (np.asarray(size, dtype=np.float64) + RANK_OFFSET) ** g
    r = ((lo + rng.random(k) * (hi - lo)) ** (1.0 / g) - RANK_OFFSET).astype(np.int64)
    return np.clip(r, 0, np.asarray(size) - 1)


def zipf_sampler(rng, members, exponent):
    """Returns draw(k): k members, the member in (random) rank r drawn with weight (r + 10)^-exponent."""
    order = rng.permutation(members)

    def draw(k):
        return order[zipf_rank(rng, k, len(order), exponent)]

    return draw


def communities(rng, n):
    """(community of each node, members grouped by community, start of each community in it, sizes)."""
    sizes = np.maximum(2, rng.lognormal(np.log(COMMUNITY_MEAN) - 0.5, 1.0, size=n // 50 + 2).astype(np.int64))
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), n) + 1]
    sizes[-1] -= sizes.sum() - n
    if sizes[-1] < 1:
        sizes = sizes[:-1]
        sizes[-1] += n - sizes.sum()
    members = rng.permutation(n)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    comm = np.empty(n, dtype=np.int64)
    comm[members] = np.repeat(np.arange(len(sizes)), sizes)
    return comm, members, starts, sizes


def draw_local(rng, raters, comm, members, starts, sizes):
    """For each rater, someone in its community: Zipf-like (exponent 0.9) over the community's order."""
    c = comm[raters]
    return members[starts[c] + zipf_rank(rng, len(raters), sizes[c], IN_EXPONENT)]


def itoa_columns(columns):
    """Vectorized CSV formatting of non-negative int64 columns: returns the bytes of the lines."""
    parts, keeps = [], []
    n = len(columns[0])
    for ci, col in enumerate(columns):
        col = col.astype(np.int64)
        width = max(1, len(str(int(col.max()))))
        digits = np.empty((n, width), dtype=np.uint8)
        v = col.copy()
        for k in range(width - 1, -1, -1):
            digits[:, k] = (v % 10 + 48).astype(np.uint8)
            v //= 10
        ndig = np.ones(n, dtype=np.int64)
        for p in range(1, width):
            ndig += col >= 10 ** p
        keep = np.arange(width)[None, :] >= (width - ndig)[:, None]
        parts.append(digits)
        keeps.append(keep)
        sep = np.full((n, 1), ord(",") if ci + 1 < len(columns) else ord("\n"), dtype=np.uint8)
        parts.append(sep)
        keeps.append(np.ones((n, 1), dtype=bool))
    mat = np.concatenate(parts, axis=1)
    keep = np.concatenate(keeps, axis=1)
    return mat[keep].tobytes()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, required=True)
    ap.add_argument("--edges", type=int, required=True)
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    n, m = a.nodes, a.edges
    if n < 10 or m < n:
        raise SystemExit("trust_gen: need nodes >= 10 and edges >= nodes (every node takes part in a rating)")
    started = time.perf_counter()
    rng = np.random.default_rng(a.seed)

    dangling = np.zeros(n, dtype=bool)
    dangling[rng.choice(n, n // 5, replace=False)] = True
    raters = np.flatnonzero(~dangling)
    draw_rater = zipf_sampler(rng, raters, OUT_EXPONENT)
    draw_rated = zipf_sampler(rng, np.arange(n), IN_EXPONENT)

    # Edges 0..n-1 cover every node: a rater rates someone, a dangling node is rated by someone.
    src = np.empty(m, dtype=np.int64)
    dst = np.empty(m, dtype=np.int64)
    idx = np.arange(n)
    src[:n] = np.where(dangling, draw_rater(n), idx)
    dst[:n] = np.where(dangling, idx, draw_rated(n))
    src[n:] = draw_rater(m - n)
    dst[n:] = draw_rated(m - n)
    # Most ratings stay inside the rater's community (so the walk mixes slowly, as on real graphs).
    comm, members, starts, sizes = communities(rng, n)
    local = np.flatnonzero(rng.random(m) < LOCAL_SHARE)
    local = local[(local >= n) | ~dangling[np.minimum(local, n - 1)]]
    dst[local] = draw_local(rng, src[local], comm, members, starts, sizes)
    # Closed rings: a few raters rate only each other (the walk's mass there settles at rate 1 - restart).
    ring_nodes = rng.choice(raters, int(len(raters) * RING_SHARE) // RING_SIZE * RING_SIZE, replace=False)
    ring_pos = np.full(n, -1, dtype=np.int64)
    ring_pos[ring_nodes] = np.arange(len(ring_nodes))
    in_ring = np.flatnonzero(ring_pos[src] >= 0)
    in_ring = in_ring[(in_ring >= n) | ~dangling[np.minimum(in_ring, n - 1)]]  # keep covering edges
    pos = ring_pos[src[in_ring]]
    mate = pos - pos % RING_SIZE + (pos % RING_SIZE + rng.integers(1, RING_SIZE, len(in_ring))) % RING_SIZE
    dst[in_ring] = ring_nodes[mate]

    # No self-ratings: redraw the rated side. Only a rater can be on the source side, so a loop never
    # sits on an edge that covers a dangling node, whose rated side must stay that node.
    while True:
        loops = np.flatnonzero(src == dst)
        if len(loops) == 0:
            break
        dst[loops] = np.where(rng.random(len(loops)) < LOCAL_SHARE,
                              draw_local(rng, src[loops], comm, members, starts, sizes), draw_rated(len(loops)))

    order = rng.permutation(m)
    src, dst = src[order], dst[order]
    ratings = rng.choice(np.arange(1, 11), size=m, p=RATING_WEIGHTS / RATING_WEIGHTS.sum())
    times = 1_300_000_000 + np.cumsum(rng.integers(0, 4, size=m))
    ext = rng.permutation(n).astype(np.int64) + 1  # external id of node i

    # Update: the first seed rates, with 10, a node it has not rated and that is not a seed.
    seeds = rng.choice(raters, size=min(a.seeds, len(raters)), replace=False)
    seed_set = set(seeds.tolist())
    rated_by_first = set(dst[src == seeds[0]].tolist())
    while True:
        target = int(rng.integers(0, n))
        if target not in seed_set and target not in rated_by_first and target != seeds[0]:
            break

    os.makedirs(a.out, exist_ok=True)
    tmp = os.path.join(a.out, "edges.csv.tmp")
    chunk = 1 << 20
    with open(tmp, "wb") as f:
        for s in range(0, m, chunk):
            e = min(m, s + chunk)
            f.write(itoa_columns([ext[src[s:e]], ext[dst[s:e]], ratings[s:e], times[s:e]]))
    os.replace(tmp, os.path.join(a.out, "edges.csv"))
    with open(os.path.join(a.out, "seeds.txt"), "w") as f:
        f.write("".join(f"{ext[s]}\n" for s in seeds))
    with open(os.path.join(a.out, "update.csv"), "w") as f:
        f.write(f"{ext[seeds[0]]},{ext[target]},10,{int(times[-1]) + 1}\n")

    keys = np.sort(src * n + dst)
    pairs = int(np.count_nonzero(np.diff(keys))) + 1
    del keys
    out_strength_zero = int(np.count_nonzero(np.bincount(src, minlength=n) == 0))
    in_deg = np.bincount(dst, minlength=n)
    meta = {
        "nodes": n, "edges": m, "distinct_pairs": int(pairs), "dangling_nodes": out_strength_zero,
        "seeds": int(len(seeds)), "rng_seed": a.seed, "max_in_degree": int(in_deg.max()),
        "max_out_degree": int(np.bincount(src, minlength=n).max()),
        "bytes": os.path.getsize(os.path.join(a.out, "edges.csv")),
        "generation_seconds": round(time.perf_counter() - started, 3),
    }
    with open(os.path.join(a.out, "meta.json"), "w") as f:
        json.dump(meta, f)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
