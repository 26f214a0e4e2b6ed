#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Writes the hand-made seeds of the fuzz-join-set corpus (corpus/seed-*).
# Each seed is a program in the harness's byte code: an operation byte
# (modulo 17) followed by its argument byte when it takes one. Files the
# fuzzer found (crashes turned into regressions, or new coverage worth
# keeping) live next to them under other names.
import os

SPAWN_MAIN, SPAWN_THREAD, RELEASE, ABORT, ABORT_ALL, DETACH_ALL, SET_MAX, \
    CANCEL_PARENT, TRY_JOIN, JOIN_NEXT, JOIN_NEXT_CANCELLED, JOIN_ALL, \
    SHUTDOWN, ITERATE, UNREF = 0, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
VALUE, INT, ERROR, ABANDON, GATED, GATED_COOP, LATER, LATER_ABANDON = range(8)
# set-max argument indexes: limits[] = { 0, 1, 2, 3, 8 }
NO_LIMIT, LIMIT_1, LIMIT_2 = 0, 1, 2

def main_(o): return [SPAWN_MAIN, o]
def thread(o): return [SPAWN_THREAD, o]
def release(i): return [RELEASE, i]      # task index (0-based) modulo the count
def abort(i): return [ABORT, i]          # task id (1-based) modulo count + 2
def set_max(i): return [SET_MAX, i]

SEEDS = {
    'basic': thread(VALUE) + thread(INT) + thread(ERROR) + main_(VALUE)
             + [JOIN_NEXT] * 5,
    'abandon': thread(ABANDON) + main_(ABANDON) + main_(LATER_ABANDON)
               + [ITERATE] + release(2) + [JOIN_ALL],
    'gated-release': thread(GATED) + thread(VALUE) + [JOIN_NEXT] + release(0)
                     + [JOIN_NEXT, JOIN_NEXT],
    'abort-gated': thread(GATED) + thread(GATED_COOP) + abort(1) + [TRY_JOIN]
                   + abort(2) + abort(2) + [JOIN_NEXT, TRY_JOIN],
    'abort-all': thread(GATED) + main_(LATER) + thread(VALUE) + main_(VALUE)
                 + [ITERATE, ABORT_ALL, TRY_JOIN, TRY_JOIN, TRY_JOIN, TRY_JOIN, TRY_JOIN],
    'detach-all': thread(GATED) + main_(LATER) + thread(VALUE) + [DETACH_ALL]
                  + thread(INT) + [JOIN_NEXT, JOIN_NEXT] + release(0) + release(1),
    'max-concurrent-1': set_max(LIMIT_1) + thread(VALUE) + main_(VALUE) + thread(INT)
                        + main_(ERROR) + thread(ABANDON) + [JOIN_ALL],
    'max-concurrent-gated': set_max(LIMIT_2) + thread(GATED) + thread(GATED)
                            + thread(VALUE) + [JOIN_NEXT] + release(0)
                            + [JOIN_NEXT] + set_max(NO_LIMIT) + release(1) + [JOIN_ALL],
    'cancel-parent': thread(GATED_COOP) + main_(LATER) + thread(VALUE)
                     + [CANCEL_PARENT] + thread(VALUE) + main_(VALUE) + [JOIN_ALL],
    'shutdown-stuck': thread(GATED) + thread(VALUE) + [SHUTDOWN] + [TRY_JOIN, TRY_JOIN]
                      + release(0) + [SHUTDOWN],
    'shutdown-coop': thread(GATED_COOP) + main_(LATER) + [ITERATE, SHUTDOWN, JOIN_ALL],
    'unref-running': thread(GATED) + thread(GATED_COOP) + main_(LATER) + [ITERATE]
                     + thread(VALUE) + [UNREF] + release(0),
    'join-cancelled': thread(GATED) + [JOIN_NEXT_CANCELLED, JOIN_NEXT] + release(0)
                      + [JOIN_NEXT_CANCELLED, JOIN_NEXT],
    'join-all-cancelled': thread(VALUE) + thread(GATED) + [JOIN_ALL, JOIN_ALL]
                          + release(1) + [JOIN_ALL],
    'main-later': main_(LATER) + main_(LATER) + [ITERATE] + release(1) + [JOIN_NEXT]
                  + abort(1) + [JOIN_NEXT, JOIN_NEXT],
    'release-before-run': main_(LATER) + release(0) + [JOIN_NEXT],
    'abort-unknown': abort(0) + thread(VALUE) + abort(3) + [JOIN_NEXT] + abort(1),
    'detach-then-shutdown': thread(GATED_COOP) + [DETACH_ALL, SHUTDOWN] + release(0)
                            + [SHUTDOWN],
    'limit-then-cancel-parent': set_max(LIMIT_1) + thread(GATED) + thread(VALUE)
                                + main_(VALUE) + [CANCEL_PARENT, TRY_JOIN, TRY_JOIN,
                                                  TRY_JOIN, TRY_JOIN],
    'many': (thread(VALUE) + main_(INT)) * 8 + [ABORT_ALL] + (thread(ERROR) + main_(ABANDON)) * 4
            + [JOIN_ALL],
}

here = os.path.dirname(os.path.abspath(__file__))
corpus = os.path.join(here, 'corpus')
os.makedirs(corpus, exist_ok=True)
for name, program in SEEDS.items():
    with open(os.path.join(corpus, 'seed-' + name), 'wb') as f:
        f.write(bytes(program))
print(f'{len(SEEDS)} seeds written to {corpus}')
