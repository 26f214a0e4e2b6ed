// SPDX-License-Identifier: LGPL-2.1-or-later
// What the GIR does not carry for Vala: the pointer results, hidden from
// the dynamic bindings with (skip) in js-task.c. Vala compiles against the
// C API, where they are the cheapest way to return any data.
namespace Js {
	[CCode (cheader_filename = "joinset/joinset.h", type_id = "js_task_get_type ()")]
	public sealed class Task : GLib.Object {
		[CCode (cname = "js_task_return_pointer")]
		public void return_pointer (owned void* result, GLib.DestroyNotify? result_destroy);
		[CCode (cname = "js_task_propagate_pointer")]
		public void* propagate_pointer () throws GLib.Error;
	}
}
