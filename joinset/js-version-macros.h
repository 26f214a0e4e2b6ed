/* js-version-macros.h: symbol visibility macros
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (JS_INSIDE) && !defined (JS_COMPILATION)
# error "Only <joinset/joinset.h> can be included directly."
#endif

#include <glib.h>

#ifndef _JS_EXTERN
# define _JS_EXTERN __attribute__((visibility ("default"))) extern
#endif

#define JS_AVAILABLE_IN_ALL _JS_EXTERN
#define JS_AVAILABLE_IN_1_0 _JS_EXTERN
