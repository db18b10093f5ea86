#!/usr/bin/env python3
"""Peers and bookkeeping for benchmarks/trust.sh.

    trust_peers.py igraph   --edges E --seeds S --out CSV [--restart R] [--update U --update-out CSV]
    trust_peers.py networkx --edges E --seeds S --out CSV [--restart R] [--tolerance T]
    trust_peers.py scipy    --edges E --seeds S --out CSV [--restart R] [--tolerance T]
    trust_peers.py compare  A.csv B.csv [--max-l1 X]
    trust_peers.py report   RUN_DIR

Each peer reads the SNAP CSV (SOURCE,TARGET,RATING,TIME), maps ids to indices, builds its graph with
rating as edge weight (repeated pairs add up), computes personalized PageRank (teleport probability
R, reset and dangling distribution uniform over the seeds), writes `node,score` lines and prints
one stderr line in the format of `bonafide trust rank --timings`:
    timings: read=…s build=…s compute=…s write=…s total=…s [iterations=…] threads=… nodes=… edges=…

igraph: Graph.personalized_pagerank (PRPACK). PRPACK takes the reset distribution for dangling nodes
as well, normalizes each node's out-weights, ignores zero-weight edges, and stops on a fixed
tolerance of 1e-10 that callers cannot change (per strongly connected component, Gauss-Seidel,
L1 residual / (1 - damping) < 1e-10 * component size / node count), then normalizes the scores
to sum 1. It runs on all cores through OpenMP.
networkx: nx.pagerank(personalization=seeds, dangling=seeds) with tol = T / N, since it stops when
the L1 change between iterations is below N * tol: the same rule as ours.
scipy: a plain power iteration on a CSR matrix with our stopping rule (L1 change < T), one core;
a reference implementation that also reports the iteration count.
"""
import argparse
import json
import os
import re
import sys
import time

T0 = time.perf_counter()

import numpy as np  # noqa: E402

try:
    import pandas as pd  # noqa: E402
except ImportError:  # pragma: no cover
    pd = None


def read_edges(path):
    """(source ids, target ids, ratings) as int64 arrays."""
    if pd is not None:
        df = pd.read_csv(path, header=None, usecols=[0, 1, 2], dtype=np.int64, engine="c")
        return df[0].to_numpy(), df[1].to_numpy(), df[2].to_numpy()
    a = np.loadtxt(path, delimiter=",", dtype=np.int64, usecols=(0, 1, 2), ndmin=2)
    return a[:, 0].copy(), a[:, 1].copy(), a[:, 2].copy()


def read_ids(path):
    with open(path) as f:
        return np.array([int(line) for line in f if line.strip()], dtype=np.int64)


def index_ids(src, dst):
    """(ids by index, src index, dst index) with indices 0..n-1."""
    both = np.concatenate([src, dst])
    if pd is not None:
        codes, uniques = pd.factorize(both, sort=False)
        ids = np.asarray(uniques, dtype=np.int64)
    else:
        ids, codes = np.unique(both, return_inverse=True)
    codes = codes.astype(np.int64, copy=False)
    return ids, codes[: len(src)], codes[len(src):]


def lookup(ids, wanted):
    """Indices of `wanted` ids in `ids` (-1 where absent)."""
    order = np.argsort(ids, kind="stable")
    pos = np.searchsorted(ids, wanted, sorter=order)
    pos = np.minimum(pos, len(ids) - 1)
    found = order[pos]
    return np.where(ids[found] == wanted, found, -1)


def write_scores(path, ids, scores):
    with open(path, "w") as f:
        f.write("node,score\n")
        f.write("".join(f"{i},{s!r}\n" for i, s in zip(ids.tolist(), np.asarray(scores, dtype=np.float64).tolist())))


def seed_indices(ids, path):
    seeds = lookup(ids, read_ids(path))
    if (seeds < 0).any():
        raise SystemExit("a seed does not appear in the edges file")
    return np.unique(seeds)


def timings_line(label, phases, **extra):
    parts = [f"{k}={v:.3f}s" for k, v in phases.items()]
    parts += [f"{k}={v}" for k, v in extra.items()]
    print(f"{label}: " + " ".join(parts), file=sys.stderr, flush=True)


def run_igraph(a):
    import igraph as ig

    t = time.perf_counter()
    src, dst, w = read_edges(a.edges)
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    ids, s, d = index_ids(src, dst)
    # A list of int pairs is python-igraph's fastest way in: the PyPI wheel uses the limited C API, so a
    # numpy array or memoryview is turned into a list first anyway (measured: zip 13 s, array 17-22 s).
    g = ig.Graph(n=len(ids), edges=list(zip(s.tolist(), d.tolist())), directed=True)
    g.es["weight"] = w.astype(np.float64)
    seeds = seed_indices(ids, a.seeds).tolist()
    t_build = time.perf_counter() - t
    t = time.perf_counter()
    pr = g.personalized_pagerank(directed=True, damping=1 - a.restart, reset_vertices=seeds, weights="weight")
    t_compute = time.perf_counter() - t
    t = time.perf_counter()
    write_scores(a.out, ids, pr)
    t_write = time.perf_counter() - t
    timings_line("timings", {"read": t_read, "build": t_build, "compute": t_compute, "write": t_write,
                             "total": time.perf_counter() - T0},
                 threads=os.environ.get("OMP_NUM_THREADS", os.cpu_count()), nodes=g.vcount(), edges=g.ecount())
    if a.update:
        t = time.perf_counter()
        us, ud, uw = read_edges(a.update)
        new = np.unique(np.concatenate([us, ud]))
        new = new[lookup(ids, new) < 0]
        if len(new):
            g.add_vertices(len(new))
            ids = np.concatenate([ids, new])
        first = g.ecount()
        g.add_edges(list(zip(lookup(ids, us).tolist(), lookup(ids, ud).tolist())))
        g.es[first:]["weight"] = uw.astype(np.float64).tolist()
        t_apply = time.perf_counter() - t
        t = time.perf_counter()
        pr = g.personalized_pagerank(directed=True, damping=1 - a.restart, reset_vertices=seeds, weights="weight")
        t_compute = time.perf_counter() - t
        timings_line("timings-update", {"apply": t_apply, "compute": t_compute}, full_recompute=1)
        if a.update_out:
            write_scores(a.update_out, ids, pr)


def weighted_pairs(s, d, w, n):
    """Distinct (source, target) pairs with summed weights."""
    key = s * n + d
    uniq, inv = np.unique(key, return_inverse=True)
    return uniq // n, uniq % n, np.bincount(inv, weights=w.astype(np.float64))


def run_networkx(a):
    import networkx as nx

    t = time.perf_counter()
    src, dst, w = read_edges(a.edges)
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    ids, s, d = index_ids(src, dst)
    n = len(ids)
    ps, pd_, pw = weighted_pairs(s, d, w, n)
    del src, dst, w, s, d
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(zip(ps.tolist(), pd_.tolist(), pw.tolist()))
    del ps, pd_, pw
    seeds = {int(i): 1.0 for i in seed_indices(ids, a.seeds)}
    t_build = time.perf_counter() - t
    t = time.perf_counter()
    pr = nx.pagerank(g, alpha=1 - a.restart, personalization=seeds, dangling=seeds, weight="weight",
                     tol=a.tolerance / n, max_iter=100000)
    t_compute = time.perf_counter() - t
    t = time.perf_counter()
    write_scores(a.out, ids, np.fromiter((pr[i] for i in range(n)), dtype=np.float64, count=n))
    t_write = time.perf_counter() - t
    timings_line("timings", {"read": t_read, "build": t_build, "compute": t_compute, "write": t_write,
                             "total": time.perf_counter() - T0},
                 threads=1, nodes=n, edges=g.number_of_edges())


def run_scipy(a):
    import scipy.sparse as sp

    t = time.perf_counter()
    src, dst, w = read_edges(a.edges)
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    ids, s, d = index_ids(src, dst)
    n = len(ids)
    outw = np.bincount(s, weights=w.astype(np.float64), minlength=n)
    dangling = outw == 0
    inv = np.zeros(n)
    inv[~dangling] = 1.0 / outw[~dangling]
    # P[target, source] = weight / out-weight(source); duplicates add up in the CSR conversion.
    p = sp.csr_matrix((w * inv[s], (d, s)), shape=(n, n))
    p.sum_duplicates()
    seeds = seed_indices(ids, a.seeds)
    v = np.zeros(n)
    v[seeds] = 1.0 / len(seeds)
    t_build = time.perf_counter() - t
    t = time.perf_counter()
    alpha = 1 - a.restart
    x = v.copy()
    iterations = 0
    while True:
        iterations += 1
        y = p @ x
        y += x[dangling].sum() * v
        y *= alpha
        y += (1 - alpha) * v
        err = np.abs(y - x).sum()
        x = y
        if err < a.tolerance or iterations >= 100000:
            break
    t_compute = time.perf_counter() - t
    t = time.perf_counter()
    write_scores(a.out, ids, x)
    t_write = time.perf_counter() - t
    timings_line("timings", {"read": t_read, "build": t_build, "compute": t_compute, "write": t_write,
                             "total": time.perf_counter() - T0},
                 iterations=iterations, threads=1, nodes=n, edges=p.nnz)


def read_scores(path):
    with open(path) as f:
        header = f.readline().strip()
        if header != "node,score":
            raise SystemExit(f"{path}: expected the header node,score, got {header!r}")
        if pd is not None:
            df = pd.read_csv(f, header=None, names=["node", "score"], dtype={"node": np.int64, "score": np.float64})
            nodes, scores = df["node"].to_numpy(), df["score"].to_numpy()
        else:
            a = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
            nodes, scores = a[:, 0].astype(np.int64), a[:, 1]
    order = np.argsort(nodes, kind="stable")
    return nodes[order], scores[order]


def compare(a):
    na, sa = read_scores(a.a)
    nb, sb = read_scores(a.b)
    if len(na) != len(nb) or not np.array_equal(na, nb):
        only_a, only_b = np.setdiff1d(na, nb).size, np.setdiff1d(nb, na).size
        dup = len(na) - np.unique(na).size + len(nb) - np.unique(nb).size
        print(f"node sets differ: {len(na)} vs {len(nb)} nodes, {only_a} only in the first, {only_b} only in the "
              f"second, {dup} repeated")
        print("result=fail max_abs=nan l1=nan")
        return 1
    diff = np.abs(sa - sb)
    l1, mx = float(diff.sum()), float(diff.max()) if len(diff) else 0.0
    ok = l1 <= a.max_l1 and np.isfinite(l1)
    print(f"result={'ok' if ok else 'fail'} max_abs={mx:.3e} l1={l1:.3e} sums={sa.sum():.12f},{sb.sum():.12f} "
          f"nodes={len(na)}")
    return 0 if ok else 1


# ---- report ---------------------------------------------------------------------------------------

def kv(line):
    return {k: v for k, v in re.findall(r"([\w-]+)=(\S+)", line)}


def seconds(v):
    """'0.845s', '845ms' or '0.845' as seconds; None when absent."""
    if not v:
        return None
    if v.endswith("ms"):
        return float(v[:-2]) / 1e3
    return float(v[:-1]) if v.endswith("s") else float(v)


def load_tool(run, name):
    base = os.path.join(run, name)
    if not os.path.exists(base + ".wall"):
        return None
    t0, t1, rc = open(base + ".wall").read().split()
    r = {"name": name, "wall": float(t1) - float(t0), "rc": int(rc)}
    if os.path.exists(base + ".time"):
        for line in open(base + ".time"):
            line = line.strip()
            if line.startswith("Maximum resident set size"):
                r["rss_kb"] = int(line.split(":")[1])
            elif line.startswith("Percent of CPU"):
                r["cpu"] = line.split(":")[1].strip()
    if os.path.exists(base + ".err"):
        for line in open(base + ".err"):
            if line.startswith("timings:"):
                r["t"] = kv(line)
            elif line.startswith("timings-update:"):
                r["u"] = kv(line)
    return r


def fmt_s(v):
    return "—" if v is None else (f"{v:.3f} s" if v < 10 else f"{v:.1f} s")


def fmt_ratio(v, ref):
    return "—" if v is None or not ref else f"{v / ref:.2f}x"


def report(a):
    run = a.run
    meta = json.load(open(os.path.join(run, "meta.json")))
    bw = kv(open(os.path.join(run, "membw.out")).read()) if os.path.exists(os.path.join(run, "membw.out")) else {}
    tools = [t for t in (load_tool(run, n) for n in ("bonafide", "igraph", "networkx", "scipy")) if t and t["rc"] == 0]
    labels = {"bonafide": "bonafide trust rank", "igraph": "python-igraph (PRPACK)",
              "networkx": "networkx pagerank", "scipy": "scipy power iteration"}
    ref = next((t for t in tools if t["name"] == "bonafide"), None)
    ref_name = "bonafide"
    if ref is None:
        ref = next((t for t in tools if t["name"] == "igraph"), None)
        ref_name = "igraph"

    def col(t, key):
        if "t" not in t:
            return None
        if key == "readbuild":
            r, b = seconds(t["t"].get("read")), seconds(t["t"].get("build"))
            return None if r is None or b is None else r + b
        return seconds(t["t"].get(key))

    print()
    print(f"graph: {meta['nodes']:,} nodes, {meta['edges']:,} ratings ({meta['distinct_pairs']:,} distinct pairs, "
          f"{meta['dangling_nodes']:,} dangling nodes, max in-degree {meta['max_in_degree']:,}), "
          f"{meta['seeds']} seeds, restart {a.restart}, tolerance {a.tolerance}")
    hdr = (f"{'tool':<24} {'end to end':>11} {'read+build':>11} {'compute':>10} {'write':>9} {'peak RSS':>10} "
           f"{'CPU':>6} | vs {ref_name}: {'e2e':>7} {'compute':>8} {'RSS':>7}")
    print(hdr)
    print("-" * len(hdr))
    rc = ref and {"wall": ref["wall"], "compute": col(ref, "compute"), "rss": ref.get("rss_kb")}
    for t in tools:
        rss = t.get("rss_kb")
        print(f"{labels[t['name']]:<24} {fmt_s(t['wall']):>11} {fmt_s(col(t, 'readbuild')):>11} "
              f"{fmt_s(col(t, 'compute')):>10} {fmt_s(col(t, 'write')):>9} "
              f"{(f'{rss / 1024:.0f} MiB' if rss else '—'):>10} {t.get('cpu', '—'):>6} | "
              f"{' ' * (len(ref_name) + 5)}{fmt_ratio(t['wall'], rc['wall']):>7} "
              f"{fmt_ratio(col(t, 'compute'), rc['compute']):>8} {fmt_ratio(rss, rc['rss']):>7}")
    print("end to end = process start to scores written (interpreter start and imports included); "
          "ratios = tool / reference (above 1: the reference is faster or smaller).")
    bon, igr = (next((t for t in tools if t["name"] == k), None) for k in ("bonafide", "igraph"))
    if bon and igr and col(bon, "compute") and col(igr, "compute"):
        e2e, comp = igr["wall"] / bon["wall"], col(igr, "compute") / col(bon, "compute")
        print(f"aim, faster than igraph: end to end {'yes' if e2e > 1 else 'NO'} (igraph / bonafide = {e2e:.2f}x), "
              f"compute {'yes' if comp > 1 else 'NO'} ({comp:.2f}x); bonafide threads={bon['t'].get('threads', '?')}, "
              f"CPU {bon.get('cpu', '?')} of the process")
    for name in ("bonafide", "igraph", "networkx", "scipy"):
        t = load_tool(run, name)
        if t and t["rc"] != 0:
            print(f"{labels[name]}: failed (exit {t['rc']}), see above")

    # Memory-bandwidth bound.
    it_src = next((t for t in tools if t["name"] == "bonafide" and "iterations" in t.get("t", {})), None) or \
        next((t for t in tools if t["name"] == "scipy" and "iterations" in t.get("t", {})), None)
    if bw:
        n, e = meta["nodes"], meta["distinct_pairs"]
        per_iter = 8 * e + 28 * n
        best = max(float(bw.get("read_2t", 0)), float(bw.get("read_1t", 0)))
        print()
        print(f"memory bandwidth (GB/s, best of {bw.get('reps', '?')}): read {bw.get('read_1t')} (1 thread) "
              f"{bw.get('read_2t')} (2 threads); triad {bw.get('triad_1t')} / {bw.get('triad_2t')}; "
              f"copy {bw.get('copy_1t')} / {bw.get('copy_2t')}")
        print(f"synthetic CSR pull step, {n:,} x {e:,} with uniform random columns: "
              f"{float(bw.get('spmv_1t_ms', 'nan')):.1f} ms (1 thread), {float(bw.get('spmv_2t_ms', 'nan')):.1f} ms "
              f"(2 threads) per iteration")
        llc = ""
        try:
            llc = open("/sys/devices/system/cpu/cpu0/cache/index3/size").read().strip()
        except OSError:
            pass
        print(f"bytes per iteration: {e:,} edges x (4 B index + 4 B weight) + {n:,} nodes x (3 x 8 B vectors + 4 B "
              f"offset) = {per_iter / 1e6:.1f} MB -> {per_iter / (best * 1e9) * 1e3:.2f} ms per iteration at "
              f"{best} GB/s" + (f" (last-level cache: {llc})" if llc else ""))
        if it_src:
            iters = int(it_src["t"]["iterations"])
            bound = per_iter * iters / (best * 1e9)
            line = f"bandwidth bound for {iters} iterations (as {labels[it_src['name']]} ran them): {bound:.3f} s"
            comp = col(it_src, "compute")
            if comp:
                line += f"; {labels[it_src['name']]} compute / bound = {comp / bound:.1f}"
            print(line)
            ig = next((t for t in tools if t["name"] == "igraph"), None)
            if ig and col(ig, "compute"):
                print(f"igraph compute / that bound = {col(ig, 'compute') / bound:.1f} (PRPACK runs Gauss-Seidel, "
                      f"whose iteration count differs)")

    # Incremental update.
    print()
    bon = next((t for t in tools if t["name"] == "bonafide"), None)
    up = load_tool(run, "bonafide-update")
    ig = load_tool(run, "igraph-update")
    if ig and "u" in ig:
        print(f"igraph after one new rating: add edge {fmt_s(seconds(ig['u'].get('apply')))}, full recompute "
              f"{fmt_s(seconds(ig['u'].get('compute')))}")
    if bon is None:
        print("incremental update: bonafide not run")
    elif up is None or up["rc"] != 0 or "u" not in up:
        print("incremental update: `bonafide trust rank --update` not available yet (no timings-update line)")
    else:
        inc = seconds(up["u"].get("compute"))
        # A full recompute on the updated graph if the binary reports one, else the first full compute.
        full = seconds(up["u"].get("full-compute")) or col(up, "compute") or col(bon, "compute")
        if not inc:
            print("bonafide incremental update: compute time 0")
        else:
            print(f"bonafide incremental update after one new rating: compute {fmt_s(inc)} in "
                  f"{up['u'].get('iterations', '?')} iterations vs full compute {fmt_s(full)}"
                  f"{' in ' + up['u']['full-iterations'] + ' iterations' if 'full-iterations' in up['u'] else ''}: "
                  f"full / incremental = {full / inc:.1f}x")
            if ig and "u" in ig:
                print(f"  igraph's full recompute / our incremental = {seconds(ig['u']['compute']) / inc:.2f}x")
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("igraph", "networkx", "scipy"):
        p = sub.add_parser(name)
        p.add_argument("--edges", required=True)
        p.add_argument("--seeds", required=True)
        p.add_argument("--out", required=True)
        p.add_argument("--restart", type=float, default=0.15)
        p.add_argument("--tolerance", type=float, default=1e-10)
        if name == "igraph":
            p.add_argument("--update")
            p.add_argument("--update-out")
    p = sub.add_parser("compare")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--max-l1", type=float, default=1e-6)
    p = sub.add_parser("report")
    p.add_argument("run")
    p.add_argument("--restart", type=float, default=0.15)
    p.add_argument("--tolerance", type=float, default=1e-10)
    a = ap.parse_args()
    if a.cmd == "igraph":
        run_igraph(a)
    elif a.cmd == "networkx":
        run_networkx(a)
    elif a.cmd == "scipy":
        run_scipy(a)
    elif a.cmd == "compare":
        return compare(a)
    elif a.cmd == "report":
        return report(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
