#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Reliability CI for libjoinset (docs/reliability.md), called by .ci/run:
#
#   1. the whole C test suite, stress tests included, built with
#      AddressSanitizer + UndefinedBehaviorSanitizer (gcc), LeakSanitizer on;
#   2. the model-based fuzzer for a bounded time (clang + libFuzzer, with
#      address,undefined), then its corpus replayed in that build;
#   3. the whole C test suite under valgrind memcheck (meson test --setup
#      valgrind), with the stress tests cut down to fit.
#
# Each step uses its own build directory (_build-asan, _build-fuzz,
# _build-valgrind), so it never touches _build. Knobs:
#   JS_FUZZ_SECONDS     fuzzing time (default 60)
#   JS_CI_STEPS         steps to run, default "asan fuzz valgrind"
# and the stress knobs of tests/stress-util.h for step 1 (JS_STRESS_ROUNDS,
# JS_STRESS_TASKS: the defaults of a plain `meson test`).
#
# Introspection is disabled in these builds: the Python and GJS tests would
# load the sanitizer runtime into an interpreter that was not built with it.
# They are built with -Dwerror=true (off by default), as CI builds are,
# except the clang fuzzing build.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzz_seconds=${JS_FUZZ_SECONDS:-60}
steps=${JS_CI_STEPS:-asan fuzz valgrind}
common_options=(-Dintrospection=disabled -Ddocumentation=disabled -Dexamples=false -Dwerror=true)

log() { printf '\n=== ci-reliability: %s\n' "$*"; }

# What the steps need, on Debian 12.
packages="meson ninja-build pkg-config gcc libglib2.0-dev valgrind gdb clang libclang-rt-14-dev"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  as_root=""
  [ "$(id -u)" -eq 0 ] || as_root="sudo"
  log "installing$missing"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

setup() {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "${common_options[@]}" "$@"
  fi
  ninja -C "$dir"
}

# Sanitizer settings shared by steps 1 and 2. G_SLICE=always-malloc lets
# ASan see every allocation GLib 2.74 would otherwise carve out of slabs.
export G_SLICE=always-malloc
# verify_asan_link_order=0: check-readme-example runs a program built
# without ASan against the ASan build of the library.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:verify_asan_link_order=0"
export LSAN_OPTIONS="suppressions=$PWD/build-aux/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

summary=()
failed=0

# Runs one step; a failing step is reported and the next ones still run.
step() {
  local name=$1; shift
  if [[ " $steps " != *" $name "* ]]; then
    return 0
  fi
  # Not "if ! ( … )": errexit is ignored in a condition, even in a subshell.
  local rc
  set +e
  ( set -e; "$@" )
  rc=$?
  set -e
  if [ "$rc" -ne 0 ]; then
    summary+=("$name: FAILED (see above)")
    failed=1
  fi
}

# 1. ASan + UBSan, the whole C suite ----------------------------------------
step_asan() {
  log "AddressSanitizer + UndefinedBehaviorSanitizer: meson test"
  setup _build-asan -Db_sanitize=address,undefined -Db_lundef=false
  start=$SECONDS
  meson test -C _build-asan --print-errorlogs --timeout-multiplier 3
  echo "asan+ubsan: whole C suite passed in $((SECONDS - start)) s" >> "$summary_file"
}

# 2. Fuzzing -----------------------------------------------------------------
step_fuzz() {
  log "libFuzzer: fuzz-join-set for ${fuzz_seconds} s"
  CC=clang setup _build-fuzz -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link -Dwerror=false
  if [ ! -x _build-fuzz/tests/fuzz/fuzz-join-set ]; then
    echo "ci-reliability: clang did not build the libFuzzer target" >&2
    return 1
  fi
  # New inputs go to a scratch corpus; the seeds stay read-only in git.
  work=$(mktemp -d)
  mkdir -p "$work/corpus" "$work/artifacts"
  start=$SECONDS
  # Leaks are checked per input by LeakSanitizer only when the harness
  # frees everything it allocates, which the shared thread pool (kept for
  # the process) does not allow: leaks are left to step 1 and valgrind;
  # the harness counts every user_data and result itself.
  if ! G_DEBUG=gc-friendly,fatal-criticals ASAN_OPTIONS="${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0}" \
      _build-fuzz/tests/fuzz/fuzz-join-set \
      -max_total_time="$fuzz_seconds" -timeout=30 -max_len=128 \
      -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
      "$work/corpus" tests/fuzz/corpus > "$work/fuzz.log" 2>&1; then
    tail -n 80 "$work/fuzz.log"
    for f in "$work"/artifacts/*; do
      [ -e "$f" ] || continue
      echo "ci-reliability: crashing input $(basename "$f"), base64 (add it to tests/fuzz/corpus/):"
      base64 -w0 "$f"; echo
    done
    return 1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -n 1)
  grep -E '^(#[0-9]+ *DONE|stat::)' "$work/fuzz.log" || true
  echo "fuzz: ${execs:-?} executions in $((SECONDS - start)) s, no failure; $(ls "$work/corpus" | wc -l) new corpus inputs" >> "$summary_file"
  rm -rf "$work"
  log "fuzz corpus replay in the clang build"
  meson test -C _build-fuzz --print-errorlogs --suite fuzz
}

# 3. Valgrind memcheck ---------------------------------------------------------
step_valgrind() {
  log "valgrind memcheck: meson test --setup valgrind"
  unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
  setup _build-valgrind
  start=$SECONDS
  # About 50 times slower under memcheck: fewer rounds and tasks, and a
  # watchdog that tolerates the slowdown.
  # Only the test programs built here: memcheck on the shell and Python
  # scripts (check-*.sh) would report the interpreter's own leaks.
  mapfile -t c_tests < <(meson introspect --tests _build-valgrind | /usr/bin/python3 -c '
import json, os, sys
build = os.path.realpath(sys.argv[1])
for t in json.load(sys.stdin):
    if os.path.realpath(t["cmd"][0]).startswith(build + os.sep):
        print(t["name"])' _build-valgrind)
  JS_STRESS_ROUNDS=${JS_VALGRIND_STRESS_ROUNDS:-40} \
  JS_STRESS_TASKS=${JS_VALGRIND_STRESS_TASKS:-5000} \
  JS_STRESS_STALL_SECONDS=60 \
    meson test -C _build-valgrind --setup valgrind --print-errorlogs "${c_tests[@]}"
  echo "valgrind: whole C suite passed in $((SECONDS - start)) s" >> "$summary_file"
}

summary_file=$(mktemp)
step asan step_asan
step fuzz step_fuzz
step valgrind step_valgrind

log "summary"
cat "$summary_file"
rm -f "$summary_file"
if [ "${#summary[@]}" -gt 0 ]; then
  printf '%s\n' "${summary[@]}"
fi
exit "$failed"
