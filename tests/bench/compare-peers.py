#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libjoinset against Tokio's JoinSet, side by side in the same run: the
# release joinset-bench and tests/bench/peers' tokio-bench take turns
# (libjoinset then Tokio, Tokio then libjoinset, ...) for --rounds rounds
# at each N, and the table gives each path's median over the rounds of
# the per-process medians (ns per task, wall and CPU), and the ratio of
# the medians, libjoinset / Tokio: below 1, libjoinset is faster.
#
# Both programs do the same thing: N trivial tasks that double their input,
# joined one by one (or all at once for js-main and js-join-all, which Tokio
# 1.24's JoinSet cannot do), timed from the first spawn to the last result
# consumed, each measurement in a fresh process, median of --reps after a
# warm-up. See tests/bench/peers/README.md for what each Tokio scenario is.
#
# Neither is part of the default build nor of the test suite. On Debian 12,
# offline (Debian's cargo, rustc and crates; crates.io is never asked):
#
#   apt-get install -y librust-tokio-dev cargo
#   (cd tests/bench/peers && /usr/bin/cargo build --release --offline)
#   meson setup _build-bench -Dbuildtype=release \
#       -Ddocumentation=disabled -Dintrospection=disabled
#   ninja -C _build-bench
#   tests/bench/compare-peers.py _build-bench/tests/bench/joinset-bench \
#       tests/bench/peers/target/release/tokio-bench
#
# Options: --rounds K (default 5), --rounds-large K (rounds at N >= 1M,
# default: --rounds), -n N (repeatable; default 100000 and 1000000),
# --reps R (repetitions inside each process, default 5), --no-pending
# (skip the bytes-per-pending-task comparison, one process each at 1M),
# --json FILE (also save every raw figure).

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

# (libjoinset id, Tokio id, what the Tokio side is)
PAIRS = [
    ("js-main", "tokio-ct-spawn", "current_thread spawn"),
    ("js-main-blocking", "tokio-ct-spawn", "current_thread spawn"),
    ("js-join-all", "tokio-mt-spawn-blocking", "multi_thread spawn_blocking in JoinSet"),
    ("js-join-all", "tokio-mt-blocking-handles", "multi_thread spawn_blocking handles"),
    ("js-join-next", "tokio-mt-spawn", "multi_thread spawn"),
    ("js-thread-blocking", "tokio-mt-spawn-blocking", "multi_thread spawn_blocking in JoinSet"),
    ("js-thread-blocking", "tokio-mt-blocking-handles", "multi_thread spawn_blocking handles"),
]

PENDING_PAIRS = [
    ("js-main", "tokio-ct-pending", "main-context tasks vs current_thread spawn"),
    ("js-thread", "tokio-mt-pending", "thread tasks vs spawn_blocking, queued"),
]


def run_json(argv):
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["results"]


def run_joinset(binary, n, reps):
    argv = [binary, "--json", "-n", str(n), "--reps", str(reps)]
    for js_id in sorted({p[0] for p in PAIRS}):
        argv += ["--only", "throughput:" + js_id]
    return {r["id"]: r for r in run_json(argv)
            if r["kind"] == "throughput" and r["ok"]}


def run_tokio(binary, n, reps):
    return {r["id"]: r for r in run_json([binary, "--json", "-n", str(n), "--reps", str(reps)])
            if r["kind"] == "throughput" and r["ok"]}


def run_pending(joinset, tokio, n):
    js = run_json([joinset, "--json", "--pending", str(n),
                   "--only", "pending:js-main", "--only", "pending:js-thread"])
    rows = {("js", r["id"]): r for r in js if r["kind"] == "pending" and r["ok"]}
    for runtime in ("current_thread", "multi_thread"):
        for r in run_json([tokio, "--json", "--runtime", runtime, "--scenario", "pending", "-n", str(n)]):
            rows[("tokio", r["id"])] = r
    return rows


def git_commit():
    try:
        return subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)),
                               "rev-parse", "--short", "HEAD"],
                              check=True, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def ratio(a, b):
    return f"{a / b:.2f}" if b > 0 else "-"


def main():
    parser = argparse.ArgumentParser(
        description="Runs joinset-bench and tokio-bench alternately and prints the ratios of the medians.")
    parser.add_argument("joinset_bench", help="a release build of joinset-bench")
    parser.add_argument("tokio_bench", help="tests/bench/peers/target/release/tokio-bench")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rounds-large", type=int, default=None,
                        help="rounds at N >= 1000000 (default: --rounds)")
    parser.add_argument("-n", type=int, action="append", dest="ns",
                        help="N (repeatable; default 100000 and 1000000)")
    parser.add_argument("--reps", type=int, default=5,
                        help="repetitions inside each process (default 5)")
    parser.add_argument("--no-pending", action="store_true")
    parser.add_argument("--json", metavar="FILE", help="save the raw figures here")
    args = parser.parse_args()
    ns = args.ns or [100000, 1000000]
    rounds_large = args.rounds_large or args.rounds

    start = time.monotonic()
    load_before = os.getloadavg()
    # figures[(side, id, n)] = list of (wall, cpu), one per round
    figures = {}
    raw = []
    for n in ns:
        rounds = rounds_large if n >= 1000000 else args.rounds
        for k in range(rounds):
            order = [("js", run_joinset, args.joinset_bench), ("tokio", run_tokio, args.tokio_bench)]
            if k % 2 == 1:
                order.reverse()
            for side, run, binary in order:
                t = time.monotonic()
                rows = run(binary, n, args.reps)
                print(f"  round {k + 1}/{rounds} N={n} {side}: {time.monotonic() - t:.0f} s",
                      file=sys.stderr, flush=True)
                for row_id, r in rows.items():
                    figures.setdefault((side, row_id, n), []).append(
                        (r["ns_per_task"], r["cpu_ns_per_task"]))
                    raw.append({"side": side, "round": k + 1, **r})

    pending = {} if args.no_pending else run_pending(args.joinset_bench, args.tokio_bench, 1000000)
    elapsed = time.monotonic() - start
    load_after = os.getloadavg()

    print(f"libjoinset {git_commit()} against Tokio 1.24 (Debian), {datetime.date.today()}, "
          f"{os.cpu_count()} CPUs {platform.machine()}, {platform.freedesktop_os_release().get('PRETTY_NAME', '')}".rstrip(", "))
    print(f"rounds: {args.rounds} (N >= 1M: {rounds_large}), {args.reps} repetitions per process, "
          f"{elapsed:.0f} s; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    print("ns per task: median over the rounds of each process's median; ratio = libjoinset / Tokio "
          "(below 1: libjoinset is faster)\n")
    print("| libjoinset | Tokio | N | libjoinset ns/task | Tokio ns/task | wall ratio "
          "| libjoinset CPU ns/task | Tokio CPU ns/task | CPU ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in ns:
        for js_id, tokio_id, what in PAIRS:
            a = figures.get(("js", js_id, n))
            b = figures.get(("tokio", tokio_id, n))
            if not a or not b:
                print(f"| {js_id} | {what} | {n} | missing | | | | | |")
                continue
            aw, ac = statistics.median(x[0] for x in a), statistics.median(x[1] for x in a)
            bw, bc = statistics.median(x[0] for x in b), statistics.median(x[1] for x in b)
            print(f"| {js_id} | {what} | {n} | {aw:.0f} | {bw:.0f} | {ratio(aw, bw)} "
                  f"| {ac:.0f} | {bc:.0f} | {ratio(ac, bc)} |")

    if pending:
        print("\nMemory per pending task, N = 1000000, one process each (heap growth, mallinfo2; RSS growth)\n")
        print("| libjoinset | Tokio | libjoinset bytes | Tokio bytes | ratio | libjoinset RSS | Tokio RSS |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for js_id, tokio_id, what in PENDING_PAIRS:
            a = pending.get(("js", js_id))
            b = pending.get(("tokio", tokio_id))
            if a and b:
                print(f"| pending:{js_id} | {tokio_id} | {a['heap_bytes_per_task']:.0f} "
                      f"| {b['heap_bytes_per_task']:.0f} "
                      f"| {ratio(a['heap_bytes_per_task'], b['heap_bytes_per_task'])} "
                      f"| {a['rss_bytes_per_task']:.0f} | {b['rss_bytes_per_task']:.0f} |")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": raw, "pending": list(pending.values())}, f, indent=1)


if __name__ == "__main__":
    main()
