#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Ctrl-C must abort joinset-hash cleanly: interrupt it once it printed its
# first checksum, and expect the summary to report aborted tasks, exit
# status 1, and no hang.
set -eu
exe="$1"
dir="${2:-/usr/lib}"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$exe" -j 1 "$dir" >"$out" 2>&1 &
pid=$!

# Wait (at most 20 s) for the first checksum.
i=0
while [ ! -s "$out" ]; do
  i=$((i + 1))
  if [ $i -gt 200 ]; then echo "no output after 20 s"; kill -9 $pid; exit 1; fi
  sleep 0.1
done

kill -INT $pid
status=0
wait $pid || status=$?
cat "$out" | tail -n 3

if [ $status -ne 1 ]; then echo "expected exit status 1 after Ctrl-C, got $status"; exit 1; fi
grep -q "Interrupted" "$out" || { echo "the SIGINT handler did not run"; exit 1; }
grep -Eq "[1-9][0-9]* aborted" "$out" || { echo "no task was reported aborted"; exit 1; }
echo "ok: interrupted run aborted cleanly"
