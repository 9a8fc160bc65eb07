#!/usr/bin/env python3
"""origcount.py times the original server's get_active_session_count (issue 12).

It runs the original's own count query (COMPAT.md, get_active_session_count)
the way the original runs it: a new sqlite3 connection per call, with
PRAGMA foreign_keys = ON and PRAGMA busy_timeout = 5000, closed at the end.
Like mudtop's BenchmarkActiveSessionCountBusy, another connection commits an
UPDATE of one session's last_activity/expires_at before every timed call, so
nothing can be reused from the last call's view of the file.

The database is a private copy of the benchmark's cached 100k-session file of
the original's schema (rollback journal), which mudtop/storage/storagetest
builds as $TMPDIR/mudtop-bench-<version>/rollback-100000-<schema>.db; the
newest match is used unless a path is given. The cached file is never opened.

By default 'now' in the query is the generator's fixed clock (storagetest's
BenchNow, 2026-11-25 12:00:00 UTC, one second later each call as in
benchActiveCount), so the count is the `active` metric mudtop reports.
--clock real runs the query verbatim with datetime('now').

It prints one machine-readable line for scripts/bench.sh:

  p50-ms=42.1 p99-ms=58.0 ops/s=23.1 ns/op=43200000 active=25028 sqlite=3.40.1 n=30 clock=bench db=/tmp/...

The time of a call is the whole of the original's call: connect, PRAGMAs,
the query and close. Stdlib only. Exit status 2 when no database is found.
"""

import argparse
import datetime
import glob
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time

# storagetest.BenchNow: the instant the generated database is laid out around.
BENCH_NOW = datetime.datetime(2026, 11, 25, 12, 0, 0)
WINDOW_MINUTES = 30  # the original's active_window_minutes default

# The original's query, with its 30 minute window (COMPAT.md).
QUERY = (
    "SELECT COUNT(*) FROM sessions WHERE "
    "(expires_at IS NULL OR datetime(expires_at) > datetime('now')) "
    "AND datetime(last_activity) >= datetime('now', '-%d minutes')" % WINDOW_MINUTES
)


def fmt(t):
    """The 19-character UTC text the original writes (COMPAT.md 1.1)."""
    return t.strftime("%Y-%m-%d %H:%M:%S")


def find_db(sessions):
    tmp = os.environ.get("TMPDIR") or "/tmp"  # Go's os.TempDir
    pattern = os.path.join(tmp, "mudtop-bench-*", "rollback-%d-*.db" % sessions)
    found = [p for p in glob.glob(pattern) if os.path.getsize(p) > 0]
    if not found:
        return None, pattern
    return max(found, key=os.path.getmtime), pattern


def connect(path):
    """A connection as the original's db/connection.py opens one."""
    conn = sqlite3.connect(path, timeout=5.0)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def get_active_session_count(path, query):
    conn = connect(path)
    try:
        return conn.execute(query).fetchone()[0]
    finally:
        conn.close()


def pct(sorted_ds, p):
    # The index storage/bench_test.go's benchActiveCount uses.
    if p == 50:
        return sorted_ds[len(sorted_ds) // 2]
    return sorted_ds[(len(sorted_ds) - 1) * p // 100]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db", nargs="?", help="database to copy (default: newest cached rollback-100000-*.db)")
    ap.add_argument("-n", type=int, default=int(os.environ.get("ORIGCOUNT_N") or 30), help="timed calls (default $ORIGCOUNT_N or 30)")
    ap.add_argument("--clock", choices=("bench", "real"), default="bench", help="'now' of the query: the generator's fixed clock, or datetime('now')")
    ap.add_argument("--sessions", type=int, default=100_000, help="size of the cached database to look for")
    args = ap.parse_args()
    if args.n < 1:
        ap.error("-n must be at least 1")

    src = args.db
    if src is None:
        src, pattern = find_db(args.sessions)
        if src is None:
            print("origcount: no database matches %s (run the Go benchmarks first)" % pattern, file=sys.stderr)
            return 2
    elif not os.path.isfile(src):
        print("origcount: no such database: %s" % src, file=sys.stderr)
        return 2
    m = re.search(r"rollback-(\d+)-", os.path.basename(src))

    with tempfile.TemporaryDirectory(prefix="origcount-") as tmp:
        path = os.path.join(tmp, "mud.db")
        shutil.copyfile(src, path)
        writer = connect(path)
        n = int(m.group(1)) if m else writer.execute("SELECT max(id) FROM sessions").fetchone()[0]
        ds, first = [], None
        try:
            for i in range(args.n):
                # The busy part, untimed: a game server validating a session.
                at = BENCH_NOW + datetime.timedelta(seconds=i % 3600)
                writer.execute(
                    "UPDATE sessions SET last_activity = ?, expires_at = ? WHERE id = ?",
                    (fmt(at), fmt(at + datetime.timedelta(hours=8)), 1 + i % n),
                )
                writer.commit()
                query = QUERY
                if args.clock == "bench":
                    query = QUERY.replace("'now'", "'%s'" % fmt(at))
                t0 = time.perf_counter()
                got = get_active_session_count(path, query)
                ds.append(time.perf_counter() - t0)
                if first is None:
                    first = got
        finally:
            writer.close()

    mean = sum(ds) / len(ds)
    ds.sort()
    print(
        "p50-ms=%.3f p99-ms=%.3f ops/s=%.1f ns/op=%d active=%d sqlite=%s n=%d clock=%s db=%s"
        % (pct(ds, 50) * 1e3, pct(ds, 99) * 1e3, 1 / mean, mean * 1e9, first,
           sqlite3.sqlite_version, len(ds), args.clock, src)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
