/* js-i18n-private.h: translation of libjoinset's own messages
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib/gi18n-lib.h>

G_BEGIN_DECLS

const char *_js_gettext (const char *msgid) G_GNUC_FORMAT (1);

/* Bind the text domain lazily, once, the first time a message is
 * translated, as GLib does for its own strings (glib_gettext()). */
#undef _
#define _(String) _js_gettext (String)

G_END_DECLS
