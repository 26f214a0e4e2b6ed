#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Compares two builds of joinset-bench in the same run: A and B take turns
# (A B A B ...), and each scenario's CPU ns per task is compared as the
# median of the per-round ratios B/A, so that a machine whose speed drifts
# during the run does not skew the comparison. Used to check that a
# restructuring costs nothing (docs/performance.md):
#
#   git worktree add ../before <commit before>
#   meson setup ../before/_build-bench -Dbuildtype=release  (likewise here)
#   tests/bench/compare-builds.py ../before/_build-bench/tests/bench/joinset-bench \
#       _build-bench/tests/bench/joinset-bench --rounds 5
#
# Arguments after -- go to both benchmarks (default: --quick), e.g.
#   ... -- --only throughput -n 1000000 --reps 1

import argparse
import json
import statistics
import subprocess
import sys


def run(binary, extra):
    out = subprocess.run([binary, "--json", *extra], check=True,
                         capture_output=True, text=True).stdout
    figures = {}
    for r in json.loads(out)["results"]:
        if r.get("kind") == "throughput" and r.get("ok"):
            figures[(r["id"], r["n"])] = r["cpu_ns_per_task"]
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--limit", type=float, default=1.05,
                        help="a median ratio above this is reported as worse")
    argv = sys.argv[1:]
    extra = ["--quick"]
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    args = parser.parse_args(argv)
    args.extra = extra

    ratios, before, after = {}, {}, {}
    for _ in range(args.rounds):
        a = run(args.before, args.extra)
        b = run(args.after, args.extra)
        for key in a.keys() & b.keys():
            ratios.setdefault(key, []).append(b[key] / a[key])
            before.setdefault(key, []).append(a[key])
            after.setdefault(key, []).append(b[key])

    worse = 0
    print(f"{'scenario':<24} {'N':>8} {'before':>10} {'after':>10} {'after/before':>13}   (CPU ns/task, medians of {args.rounds} rounds)")
    for key in sorted(ratios):
        ratio = statistics.median(ratios[key])
        flag = "  worse" if ratio > args.limit else ""
        worse += bool(flag)
        print(f"{key[0]:<24} {key[1]:>8} {statistics.median(before[key]):>10.1f} "
              f"{statistics.median(after[key]):>10.1f} {ratio:>13.3f}{flag}")
    print(f"{worse} of {len(ratios)} scenarios more than {(args.limit - 1) * 100:.0f} % worse")


if __name__ == "__main__":
    main()
