/* demo-task-row.c: one unfinished task of the GTK 4 demo's list
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * DemoTaskRow:
 *
 * The item type of the demo's GListStore: a task of the JsJoinSet, keyed
 * by the id js_join_set_spawn_full() returned, with what the list shows
 * (file name, size, progress). The columns bind to its properties with
 * GtkExpressions (demo-window.ui), so setting :progress from the set's
 * task-progress signal is all it takes to move a row's progress bar.
 */

#include "config.h"

#include "demo-task-row.h"

struct _DemoTaskRow
{
  GObject  parent_instance;

  guint64  id;
  char    *name;
  guint64  size;
  char    *size_label;
  double   progress;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_SIZE,
  PROP_SIZE_LABEL,
  PROP_PROGRESS,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (DemoTaskRow, demo_task_row, G_TYPE_OBJECT)

static void
demo_task_row_finalize (GObject *object)
{
  DemoTaskRow *self = DEMO_TASK_ROW (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->size_label, g_free);

  G_OBJECT_CLASS (demo_task_row_parent_class)->finalize (object);
}

/* What the row's progress bar says: the task has not reported progress
 * yet (JsJoinSet does not tell when a queued task starts), or how far it
 * got. */
static char *
dup_status (DemoTaskRow *self)
{
  if (self->progress <= 0.0)
    return g_strdup ("Waiting");

  return g_strdup_printf ("%.0f %%", self->progress * 100.0);
}

static void
demo_task_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  DemoTaskRow *self = DEMO_TASK_ROW (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint64 (value, self->id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_SIZE:
      g_value_set_uint64 (value, self->size);
      break;

    case PROP_SIZE_LABEL:
      g_value_set_string (value, self->size_label);
      break;

    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;

    case PROP_STATUS:
      g_value_take_string (value, dup_status (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
demo_task_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  DemoTaskRow *self = DEMO_TASK_ROW (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_uint64 (value);
      break;

    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;

    case PROP_SIZE:
      self->size = g_value_get_uint64 (value);
      g_free (self->size_label);
      self->size_label = g_format_size (self->size);
      break;

    case PROP_PROGRESS:
      demo_task_row_set_progress (self, g_value_get_double (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
demo_task_row_class_init (DemoTaskRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = demo_task_row_finalize;
  object_class->get_property = demo_task_row_get_property;
  object_class->set_property = demo_task_row_set_property;

  properties[PROP_ID] =
    g_param_spec_uint64 ("id", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIZE] =
    g_param_spec_uint64 ("size", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIZE_LABEL] =
    g_param_spec_string ("size-label", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL,
                         0.0, 1.0, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
demo_task_row_init (DemoTaskRow *self)
{
}

DemoTaskRow *
demo_task_row_new (guint64     id,
                   const char *name,
                   guint64     size)
{
  return g_object_new (DEMO_TYPE_TASK_ROW,
                       "id", id,
                       "name", name,
                       "size", size,
                       NULL);
}

guint64
demo_task_row_get_id (DemoTaskRow *self)
{
  g_return_val_if_fail (DEMO_IS_TASK_ROW (self), 0);

  return self->id;
}

const char *
demo_task_row_get_name (DemoTaskRow *self)
{
  g_return_val_if_fail (DEMO_IS_TASK_ROW (self), NULL);

  return self->name;
}

double
demo_task_row_get_progress (DemoTaskRow *self)
{
  g_return_val_if_fail (DEMO_IS_TASK_ROW (self), 0.0);

  return self->progress;
}

void
demo_task_row_set_progress (DemoTaskRow *self,
                            double       progress)
{
  g_return_if_fail (DEMO_IS_TASK_ROW (self));

  progress = CLAMP (progress, 0.0, 1.0);
  if (progress == self->progress)
    return;

  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}
