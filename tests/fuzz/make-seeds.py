#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Writes the hand-made seeds of the fuzz-join-set corpus (corpus/seed-*).
# Each seed is a program in the harness's byte code: an operation byte
# (modulo 27) followed by its argument byte when it takes one. Files the
# fuzzer found (crashes turned into regressions, or new coverage worth
# keeping) live next to them under other names.
import os

SPAWN_MAIN, SPAWN_THREAD, RELEASE, ABORT, ABORT_ALL, DETACH_ALL, SET_MAX, \
    CANCEL_PARENT, TRY_JOIN, JOIN_NEXT, JOIN_NEXT_CANCELLED, JOIN_ALL, \
    SHUTDOWN, ITERATE, UNREF = 0, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
TOGGLE_ORDERED, TOGGLE_ABORT_ON_SUCCESS, TOGGLE_DISCARD, JOIN_ALL_TIMEOUT, \
    JOIN_NEXT_SYNC, SET_TIMEOUT = 17, 18, 19, 20, 21, 22
CLOSE, JOIN_BY_ID, JOIN_BY_ID_SYNC, GET_TASKS = 23, 24, 25, 26
VALUE, INT, ERROR, ABANDON, GATED, GATED_COOP, LATER, LATER_ABANDON = range(8)
# Spawn argument: outcome + 8 * time limit + 40 * progress, the time limit
# indexing timeouts[] = { set's, spawn_full 0, 1 ms, 20 ms, 10 min }.
NAMED, T1MS, T20MS, TLONG = 8, 16, 24, 32
PROGRESS = 40
# set-max argument indexes: limits[] = { 0, 1, 2, 3, 8 }
NO_LIMIT, LIMIT_1, LIMIT_2 = 0, 1, 2
# join_all_timeout argument indexes: deadlines[] = { 0, 1, 5, 20 } ms
DEADLINE_0, DEADLINE_1, DEADLINE_5, DEADLINE_20 = 0, 1, 2, 3
# set-timeout argument indexes: limits[] = { 0, 2, 20, 10 min } ms
SET_T0, SET_T2MS, SET_T20MS, SET_TLONG = 0, 1, 2, 3

def main_(o): return [SPAWN_MAIN, o]
def thread(o): return [SPAWN_THREAD, o]
def release(i): return [RELEASE, i]      # task index (0-based) modulo the count
def abort(i): return [ABORT, i]          # task id (1-based) modulo count + 2
def set_max(i): return [SET_MAX, i]
def join_all_timeout(i): return [JOIN_ALL_TIMEOUT, i]
def set_timeout(i): return [SET_TIMEOUT, i]
# join by id argument: the task id modulo count + 2 (0 and count + 1 are
# never spawned); TWICE starts a second join by id of it while it waits.
TWICE = 64
def join_by_id(i): return [JOIN_BY_ID, i]
def join_by_id_sync(i): return [JOIN_BY_ID_SYNC, i]

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

    # Ordered joins
    'ordered-basic': [TOGGLE_ORDERED] + thread(GATED) + thread(VALUE) + main_(VALUE)
                     + [JOIN_NEXT, TRY_JOIN] + release(0) + [JOIN_NEXT] * 3,
    'ordered-join-all': [TOGGLE_ORDERED] + thread(VALUE) + main_(INT) + thread(ERROR)
                        + main_(VALUE) + thread(ABANDON) + [JOIN_ALL],
    'ordered-abort-oldest': [TOGGLE_ORDERED] + thread(GATED_COOP) + thread(VALUE)
                            + main_(VALUE) + [ITERATE] + abort(1) + [TRY_JOIN] * 3,
    'ordered-toggle': thread(VALUE) + thread(GATED) + main_(VALUE) + [JOIN_NEXT_SYNC]
                      + [TOGGLE_ORDERED, ITERATE, TRY_JOIN, TOGGLE_ORDERED, TRY_JOIN]
                      + release(1) + [JOIN_NEXT],
    'ordered-sync': [TOGGLE_ORDERED] + thread(GATED) + main_(VALUE) + [JOIN_NEXT_SYNC]
                    + release(0) + [JOIN_NEXT_SYNC, JOIN_NEXT_SYNC, JOIN_NEXT_SYNC],
    'ordered-join-all-cancelled': [TOGGLE_ORDERED] + thread(VALUE) + thread(GATED)
                                  + main_(INT) + [JOIN_ALL, TRY_JOIN] + release(1)
                                  + [JOIN_ALL],
    # abort-on-success
    'abort-on-success': [TOGGLE_ABORT_ON_SUCCESS] + thread(GATED_COOP) * 2 + main_(ERROR)
                        + [ITERATE] + main_(VALUE) + [JOIN_ALL],
    'abort-on-success-race': [TOGGLE_ABORT_ON_SUCCESS] + thread(VALUE) + thread(INT)
                             + thread(GATED) + main_(LATER) + [JOIN_ALL] + release(2)
                             + release(3) + [JOIN_ALL],
    'abort-on-success-toggle': thread(GATED) + [TOGGLE_ABORT_ON_SUCCESS, TOGGLE_ABORT_ON_SUCCESS]
                               + thread(VALUE) + [JOIN_NEXT] + abort(1) + release(0)
                               + [JOIN_ALL],
    'abort-on-success-limit': set_max(LIMIT_1) + [TOGGLE_ABORT_ON_SUCCESS] + thread(GATED_COOP)
                              + thread(VALUE) + main_(VALUE) + release(0) + [JOIN_ALL],
    # discard-results
    'discard': [TOGGLE_DISCARD] + thread(VALUE) + main_(INT) + thread(ERROR) + main_(ABANDON)
               + [JOIN_NEXT, JOIN_ALL, TRY_JOIN],
    'discard-toggle': thread(GATED) + main_(VALUE) + [ITERATE, TOGGLE_DISCARD] + thread(VALUE)
                      + [TRY_JOIN] + release(0) + [TOGGLE_DISCARD] + thread(GATED_COOP)
                      + [JOIN_ALL] + release(3) + [JOIN_ALL],
    'discard-abort': [TOGGLE_DISCARD] + thread(GATED) + thread(GATED_COOP) + main_(LATER)
                     + abort(1) + [ABORT_ALL, JOIN_NEXT] + release(0),
    'discard-ordered': [TOGGLE_ORDERED] + thread(GATED) + thread(VALUE) + [ITERATE, TOGGLE_DISCARD]
                       + [JOIN_NEXT] + release(0) + [JOIN_ALL],
    # time limits
    'timeout-short': thread(GATED_COOP + T1MS) + main_(LATER + T20MS) + thread(VALUE + T1MS)
                     + thread(GATED + T20MS) + [JOIN_ALL] + release(3),
    'timeout-abort': thread(GATED + T20MS) + abort(1) + [JOIN_NEXT] + main_(LATER_ABANDON + T1MS)
                     + abort(2) + [JOIN_NEXT] + release(0),
    'timeout-set': set_timeout(SET_T2MS) + thread(GATED_COOP) + main_(LATER) + [JOIN_ALL]
                   + set_timeout(SET_T0) + thread(VALUE) + [JOIN_NEXT],
    'timeout-long': thread(GATED + TLONG) + main_(LATER + TLONG) + thread(VALUE + NAMED)
                    + [JOIN_NEXT] + release(0) + release(1) + [JOIN_ALL, DETACH_ALL],
    'timeout-discard': [TOGGLE_DISCARD] + thread(GATED_COOP + T1MS) + thread(ERROR + T20MS)
                       + main_(LATER + T1MS) + [JOIN_NEXT],
    'timeout-limit': set_max(LIMIT_1) + thread(GATED + NAMED) + thread(GATED_COOP + T1MS)
                     + [JOIN_NEXT] + release(0) + [JOIN_ALL],
    # join_all_timeout
    'join-all-timeout': thread(GATED) + thread(VALUE) + main_(VALUE) + [ITERATE]
                        + join_all_timeout(DEADLINE_0) + join_all_timeout(DEADLINE_5)
                        + release(0) + join_all_timeout(DEADLINE_20),
    'join-all-timeout-ordered': [TOGGLE_ORDERED] + thread(GATED) + thread(VALUE) + main_(INT)
                                + join_all_timeout(DEADLINE_1) + abort(1)
                                + join_all_timeout(DEADLINE_0) + join_all_timeout(DEADLINE_20),
    # progress and counters
    'progress': thread(VALUE + PROGRESS) + thread(GATED + PROGRESS) + main_(LATER + PROGRESS)
                + [ITERATE, ITERATE] + release(1) + release(2) + [JOIN_ALL, ITERATE],
    'sync-join': thread(VALUE) + main_(ERROR) + [JOIN_NEXT_SYNC] * 3 + thread(GATED)
                 + [JOIN_NEXT_SYNC] + release(0) + [JOIN_NEXT_SYNC],
    'counters-detached': set_max(LIMIT_1) + thread(GATED) + thread(VALUE) + main_(VALUE)
                         + [DETACH_ALL] + release(0) + [ITERATE] + thread(INT) + [JOIN_NEXT],
    # close
    'close': thread(VALUE) + thread(GATED) + main_(LATER) + [CLOSE] + thread(VALUE)
             + main_(VALUE) + [JOIN_NEXT] + release(1) + release(2) + [JOIN_ALL, CLOSE, JOIN_NEXT],
    'close-shutdown': thread(GATED_COOP) + main_(LATER) + [CLOSE, SHUTDOWN] + thread(VALUE)
                      + [TRY_JOIN, JOIN_ALL],
    'close-ordered': [TOGGLE_ORDERED] + thread(GATED) + thread(INT) + [CLOSE] + main_(VALUE)
                     + release(0) + [JOIN_NEXT_SYNC, JOIN_NEXT_SYNC, JOIN_NEXT_SYNC],
    # join by id
    'join-by-id': thread(GATED) + thread(VALUE) + main_(INT) + join_by_id(2) + join_by_id(1)
                  + release(0) + join_by_id(1) + join_by_id_sync(3) + join_by_id(0)
                  + join_by_id(4) + join_by_id_sync(2) + join_by_id_sync(4),
    'join-by-id-twice': thread(GATED) + main_(LATER) + join_by_id(1 + TWICE)
                        + join_by_id(2 + TWICE) + release(0) + join_by_id(1 + TWICE)
                        + join_by_id(0 + TWICE) + release(1) + join_by_id(2 + TWICE),
    'join-by-id-ordered': [TOGGLE_ORDERED] + thread(GATED) + thread(VALUE) + main_(ERROR)
                          + join_by_id(2) + join_by_id_sync(3) + [TRY_JOIN] + release(0)
                          + [JOIN_NEXT],
    'join-by-id-discard': [TOGGLE_DISCARD] + main_(VALUE) + join_by_id(1) + thread(ERROR)
                          + join_by_id_sync(2) + thread(GATED) + [ITERATE] + join_by_id(3)
                          + release(2) + join_by_id(3),
    'join-by-id-aborted': thread(GATED_COOP) + abort(1) + join_by_id_sync(1) + thread(GATED)
                          + [ABORT_ALL] + join_by_id(2) + release(1),
    'join-by-id-detached': thread(GATED) + main_(VALUE) + [DETACH_ALL] + join_by_id(1)
                           + join_by_id_sync(2) + release(0),
    'join-by-id-timeout': thread(GATED_COOP + T1MS) + main_(LATER + T20MS) + join_by_id_sync(1)
                          + join_by_id(2),
    'join-by-id-shutdown': thread(GATED) + thread(VALUE) + [SHUTDOWN] + join_by_id(2)
                           + release(0) + join_by_id_sync(1),
    # the list model of get_tasks
    'get-tasks': thread(GATED) + [GET_TASKS] + thread(VALUE) + main_(LATER)
                 + [GET_TASKS, JOIN_NEXT, GET_TASKS] + release(0) + release(2)
                 + [DETACH_ALL, GET_TASKS] + thread(VALUE) + [SHUTDOWN, GET_TASKS, UNREF, GET_TASKS],
    'get-tasks-discard': [GET_TASKS, TOGGLE_DISCARD] + thread(VALUE) + main_(ERROR) + thread(GATED)
                         + [ITERATE, GET_TASKS] + release(2) + [GET_TASKS, JOIN_ALL, GET_TASKS],
    'get-tasks-close': main_(VALUE) + [GET_TASKS, CLOSE] + thread(INT) + [GET_TASKS]
                       + join_by_id(1) + [GET_TASKS, CANCEL_PARENT, GET_TASKS, JOIN_ALL, GET_TASKS],
    'get-tasks-unref': thread(GATED) + main_(LATER) + [GET_TASKS, ABORT_ALL, GET_TASKS, UNREF]
                       + release(0) + release(1),
}

here = os.path.dirname(os.path.abspath(__file__))
corpus = os.path.join(here, 'corpus')
os.makedirs(corpus, exist_ok=True)
for name, program in SEEDS.items():
    with open(os.path.join(corpus, 'seed-' + name), 'wb') as f:
        f.write(bytes(program))
print(f'{len(SEEDS)} seeds written to {corpus}')
