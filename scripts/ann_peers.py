#!/usr/bin/env python3
"""Measure peer ANN libraries (hnswlib, faiss) on .fvecs/.ivecs files, one thread.

Not a project dependency and installs nothing. To run it:

    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install hnswlib faiss-cpu numpy
    /tmp/peers/bin/python scripts/ann_peers.py BASE.fvecs QUERY.fvecs GT.ivecs \
        [--m 16] [--ef-construction 200] [--ef 10,16,24,32,48,64,96,128] [--k 10] \
        [--rounds 3] [--only hnswlib,faiss-hnsw,faiss-hnsw-l2,faiss-flat]

Files are TEXMEX format (per vector: little-endian i32 dim, then dim f32 / i32). Base and
query rows are expected to be unit length (the searchrec generator writes them so); the
metric is inner product, or L2 for `faiss-hnsw-l2` (same ranking on unit vectors).

Output, one line per point: library, ef, recall@k (id overlap with the first k ground-truth
ids), QPS by wall clock and by this thread's CPU time (queries one at a time, best of
`--rounds`), and build seconds (wall and CPU) on one thread. faiss IndexFlatIP is measured
one query at a time on one thread and batched on all threads.
"""

import argparse
import os
import sys
import time

import numpy as np


def read_vecs(path, dtype):
    raw = np.fromfile(path, dtype=np.int32)
    if raw.size == 0:
        return np.zeros((0, 0), dtype=dtype)
    dim = int(raw[0])
    rows = raw.reshape(-1, dim + 1)
    if not np.all(rows[:, 0] == dim):
        sys.exit(f"{path}: rows of differing dimension")
    return np.ascontiguousarray(rows[:, 1:]).view(dtype)


def cpu():
    return time.thread_time()


def recall(found, truth, k):
    hits = 0
    for f, t in zip(found, truth):
        hits += len(set(int(x) for x in f[:k]) & set(int(x) for x in t[:k]))
    return hits / (len(truth) * k)


def sweep(name, search_one, queries, truth, k, efs, set_ef, rounds, build):
    for ef in efs:
        set_ef(ef)
        best_wall, best_cpu, rec = float("inf"), float("inf"), 0.0
        for _ in range(rounds):
            found = []
            w0, c0 = time.perf_counter(), cpu()
            for q in queries:
                found.append(search_one(q))
            w, c = time.perf_counter() - w0, cpu() - c0
            best_wall, best_cpu = min(best_wall, w), min(best_cpu, c)
            rec = recall(found, truth, k)
        nq = len(queries)
        print(f"{name:14s} ef {ef:4d} recall@{k} {rec:.4f} QPS(wall) {nq / best_wall:8.0f} "
              f"QPS(cpu) {nq / max(best_cpu, 1e-9):8.0f}  build wall {build[0]:.2f}s cpu {build[1]:.2f}s",
              flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base")
    ap.add_argument("query")
    ap.add_argument("gt")
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=200)
    ap.add_argument("--ef", default="10,16,24,32,48,64,96,128")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="hnswlib,faiss-hnsw,faiss-hnsw-l2,faiss-flat")
    args = ap.parse_args()

    base = read_vecs(args.base, np.float32)
    queries = read_vecs(args.query, np.float32)
    truth = read_vecs(args.gt, np.int32)[:, : args.k]
    n, dim = base.shape
    efs = [int(x) for x in args.ef.split(",")]
    only = set(args.only.split(","))
    k = args.k
    print(f"# {n} x {dim}, {len(queries)} queries, k={k}, M={args.m}, "
          f"ef_construction={args.ef_construction}", flush=True)

    if "hnswlib" in only:
        import hnswlib

        index = hnswlib.Index(space="ip", dim=dim)
        index.set_num_threads(1)
        w0, c0 = time.perf_counter(), cpu()
        index.init_index(max_elements=n, M=args.m, ef_construction=args.ef_construction, random_seed=100)
        index.add_items(base, np.arange(n), num_threads=1)
        build = (time.perf_counter() - w0, cpu() - c0)

        def one(q, index=index):
            return index.knn_query(q, k=k, num_threads=1)[0][0]

        sweep("hnswlib", one, queries, truth, k, efs, index.set_ef, args.rounds, build)
        del index

    if only & {"faiss-hnsw", "faiss-hnsw-l2", "faiss-flat"}:
        import faiss

        faiss.omp_set_num_threads(1)
        for name, metric in (("faiss-hnsw", faiss.METRIC_INNER_PRODUCT), ("faiss-hnsw-l2", faiss.METRIC_L2)):
            if name not in only:
                continue
            index = faiss.IndexHNSWFlat(dim, args.m, metric)
            index.hnsw.efConstruction = args.ef_construction
            w0, c0 = time.perf_counter(), cpu()
            index.add(base)
            build = (time.perf_counter() - w0, cpu() - c0)

            def one(q, index=index):
                return index.search(q.reshape(1, -1), k)[1][0]

            def set_ef(ef, index=index):
                index.hnsw.efSearch = ef

            sweep(name, one, queries, truth, k, efs, set_ef, args.rounds, build)
            del index

        if "faiss-flat" in only:
            index = faiss.IndexFlatIP(dim)
            index.add(base)
            nq = min(len(queries), 500)
            w0, c0 = time.perf_counter(), cpu()
            found = [index.search(q.reshape(1, -1), k)[1][0] for q in queries[:nq]]
            w, c = time.perf_counter() - w0, cpu() - c0
            print(f"{'faiss-flat':14s} one-at-a-time 1 thread recall@{k} {recall(found, truth[:nq], k):.4f} "
                  f"QPS(wall) {nq / w:8.0f} QPS(cpu) {nq / max(c, 1e-9):8.0f}", flush=True)
            threads = os.cpu_count() or 1
            faiss.omp_set_num_threads(threads)
            w0 = time.perf_counter()
            _, ids = index.search(queries, k)
            w = time.perf_counter() - w0
            print(f"{'faiss-flat':14s} batched {threads} threads recall@{k} {recall(ids, truth, k):.4f} "
                  f"QPS(wall) {len(queries) / w:8.0f}", flush=True)
            faiss.omp_set_num_threads(1)


if __name__ == "__main__":
    main()
