/* vapi-nullability.vala: compiled (not run) by the vala suite, with
 * --enable-experimental-non-null
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The VAPI says null where the C API may give it: a task's name (a task
 * spawned without one) and a set's parent cancellable (a set made with
 * js_join_set_new()). `var` takes the property's type, so assigning null
 * to it type-checks only if that type is nullable; the pointer results,
 * hidden from the dynamic bindings, stay in the VAPI.
 */

void nullable_properties (Js.JoinSet joinset, Js.Task task) {
    var name = task.name;
    name = null;
    var cancellable = joinset.cancellable;
    cancellable = null;
    string? by_getter = task.get_name ();
    by_getter = null;
}

void pointer_results (Js.Task task) throws Error {
    task.return_pointer (null, null);
    void* result = task.propagate_pointer ();
}

int main () {
    return 0;
}
