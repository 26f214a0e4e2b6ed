/* js-join-error.c: errors reported for tasks of a JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "js-join-error.h"

/**
 * js_join_error_quark:
 *
 * The error domain of [error@Js.JoinError].
 *
 * Returns: the quark of the `js-join-error-quark` domain
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (js-join-error-quark, js_join_error)
