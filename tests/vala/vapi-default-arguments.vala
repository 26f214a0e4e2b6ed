/* vapi-default-arguments.vala: compiled (not run) by the vala suite
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Vala code should not have to spell out a null cancellable: the
 * cancellables of the async methods default to null, as those of the
 * synchronous ones and of GIO do. Type-checking this file fails until
 * joinset-1.vapi says so.
 */

async void uses_defaults (Js.JoinSet joinset) throws Error {
    Js.Task? task = yield joinset.join_next_async ();
    GenericArray<weak Js.Task>? tasks = yield joinset.join_all_async ();
    bool done = yield joinset.shutdown_async ();
    Js.Task? next = joinset.join_next ();
}

int main () {
    return 0;
}
