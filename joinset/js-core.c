/* js-core.c: the core of a set: references and lock
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "js-i18n-private.h"
#include "js-join-error.h"
#include "js-core-private.h"

/* ------------------------------------------------------------------------
 * The core
 * ------------------------------------------------------------------------ */

void
_js_core_lock (JsCore *core)
{
  g_mutex_lock (&core->mutex);
}

void
_js_core_unlock (JsCore *core)
{
  g_mutex_unlock (&core->mutex);
}

JsCore *
_js_core_ref (JsCore *core)
{
  g_atomic_ref_count_inc (&core->ref_count);
  return core;
}

void
_js_core_unref (JsCore *core)
{
  if (!g_atomic_ref_count_dec (&core->ref_count))
    return;

  g_assert (core->source == NULL);
  g_assert (core->waiters.length == 0);
  g_assert (core->shutdowns.length == 0);
  g_assert (core->deliver.length == 0);

  g_assert (core->emit_finished_queue.length == 0);
  g_assert (core->emit_progress_queue.length == 0);
  g_assert (core->timers == NULL || g_hash_table_size (core->timers) == 0);

  g_clear_pointer (&core->timers, g_hash_table_unref);
  _js_id_table_clear (&core->tasks);
  g_weak_ref_clear (&core->set);
  g_main_context_unref (core->context);
  g_cond_clear (&core->cond);
  g_mutex_clear (&core->mutex);
  g_free (core);
}
