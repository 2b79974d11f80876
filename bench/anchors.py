#!/usr/bin/env python3
"""Python multiprocessing anchors for the Poolscope benchmarks.

Each anchor runs in a fresh interpreter (python3 bench/anchors.py NAME ARGS)
and prints one JSON line last.  This file imports as little as possible so
that the whole-process times of the anchors are not inflated by the
benchmark harness (argparse, statistics, ...): only what a plain user
script would import.  With the spawn start method the workers re-import
this file as __mp_main__, which is cheap for the same reason.
"""

import sys
import time


def square(x):
    return x * x


def busy(ms):
    """Burn `ms` milliseconds of this process's CPU time (like cpu:MS)."""
    end = time.process_time() + ms / 1000.0
    while time.process_time() < end:
        pass
    return ms


def emit(d):
    import json
    print(json.dumps(d), flush=True)


def chunk1(n):
    """Pool(2).imap_unordered(square, range(n), chunksize=1)."""
    import multiprocessing as mp
    ctx = mp.get_context("fork")
    t0 = time.perf_counter()
    pool = ctx.Pool(2)
    t1 = time.perf_counter()
    total = count = 0
    for r in pool.imap_unordered(square, range(n), chunksize=1):
        total += r
        count += 1
    t2 = time.perf_counter()
    pool.close()
    pool.join()
    ok = count == n and total == (n - 1) * n * (2 * n - 1) // 6
    emit({"pool_create_s": t1 - t0, "consume_s": t2 - t1, "ok": ok})


def pmap(n):
    """Pool(2).map(square, range(n))."""
    import multiprocessing as mp
    ctx = mp.get_context("fork")
    t0 = time.perf_counter()
    pool = ctx.Pool(2)
    t1 = time.perf_counter()
    res = pool.map(square, range(n))
    t2 = time.perf_counter()
    pool.close()
    pool.join()
    # spot checks only: a full check would add ~0.1 s to the process time
    ok = len(res) == n and all(res[i] == i * i for i in
                               (0, 1, n // 3, n // 2, n - 1) if 0 <= i < n)
    emit({"pool_create_s": t1 - t0, "map_s": t2 - t1, "ok": ok})


def startup(method):
    """Pool(2) with fork or spawn, time to the first result of imap."""
    import multiprocessing as mp
    ctx = mp.get_context(method)
    t0 = time.perf_counter()
    pool = ctx.Pool(2)
    it = pool.imap(square, [1, 2])
    first = next(it)
    t1 = time.perf_counter()
    print(first, flush=True)
    rest = list(it)
    pool.close()
    pool.join()
    emit({"first_s": t1 - t0, "ok": [first] + rest == [1, 4]})


def scaling(workers, tasks, ms):
    """Pool(workers).map(busy, [ms] * tasks): CPU-bound scaling."""
    import multiprocessing as mp
    ctx = mp.get_context("fork")
    pool = ctx.Pool(workers)
    pool.map(square, range(workers))  # workers are up
    t0 = time.perf_counter()
    res = pool.map(busy, [ms] * tasks, chunksize=1)
    t1 = time.perf_counter()
    pool.close()
    pool.join()
    emit({"wall_s": t1 - t0, "ok": res == [ms] * tasks})


def uneven(path, workers, chunksize):
    """Pool(workers).map(time.sleep, durations read from path), chunksize
    0 meaning Pool.map's default: uneven, I/O-bound work."""
    import multiprocessing as mp
    with open(path) as f:
        secs = [float(line) for line in f if line.strip()]
    ctx = mp.get_context("fork")
    pool = ctx.Pool(workers)
    pool.map(square, range(workers))  # workers are up
    t0 = time.perf_counter()
    pool.map(time.sleep, secs, chunksize=chunksize or None)
    t1 = time.perf_counter()
    pool.close()
    pool.join()
    emit({"wall_s": t1 - t0, "ok": True})


def private_bytes(pid):
    """(Private_Clean + Private_Dirty, Pss, Rss) in bytes from smaps_rollup."""
    vals = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[2] == "kB":
                vals[parts[0].rstrip(":")] = int(parts[1]) * 1024
    return (vals.get("Private_Clean", 0) + vals.get("Private_Dirty", 0),
            vals.get("Pss", 0), vals.get("Rss", 0))


def memory(method, settle_ms):
    """Private memory of idle Pool(2) workers, read from smaps_rollup."""
    import multiprocessing as mp
    ctx = mp.get_context(method)
    pool = ctx.Pool(2)
    pool.map(square, [1, 2], chunksize=1)  # both workers have run a task
    time.sleep(settle_ms / 1000.0)         # ... and are idle again
    workers = []
    for p in pool._pool:
        priv, pss, rss = private_bytes(p.pid)
        workers.append({"pid": p.pid, "private": priv, "pss": pss,
                        "rss": rss})
    pool.close()
    pool.join()
    emit({"workers": workers})


ANCHORS = {"chunk1": chunk1, "map": pmap, "startup": startup,
           "scaling": scaling, "memory": memory, "uneven": uneven}

if __name__ == "__main__":
    name, args = sys.argv[1], sys.argv[2:]
    args = [int(a) if a.isdigit() else a for a in args]
    ANCHORS[name](*args)
