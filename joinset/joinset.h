/* joinset.h: the libjoinset umbrella header
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define JS_INSIDE

#include "js-version.h"
#include "js-version-macros.h"
#include "js-types.h"
#include "js-enums.h"
#include "js-join-error.h"
#include "js-task.h"
#include "js-join-set.h"

#undef JS_INSIDE
