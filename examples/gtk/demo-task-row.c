/* demo-task-row.c: one unfinished task of the GTK 4 demo's list
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * DemoTaskRow:
 *
 * What a row of the demo's list shows for one JsTask of the set's list
 * model (js_join_set_get_tasks()): made by the window's GtkMapListModel
 * for each task of the model, it adds what a JsTask does not know (the
 * size of the file) and what the columns display (a size label, a status
 * text). Its :name and :progress follow the task's own notifying
 * properties, and :status its :state, so the set's model is all it takes
 * to move a row's progress bar.
 */

#include "config.h"

#include "demo-task-row.h"

struct _DemoTaskRow
{
  GObject  parent_instance;

  JsTask  *task;
  gboolean has_size;
  guint64  size;
  char    *size_label;
  double   progress;
};

enum {
  PROP_0,
  PROP_TASK,
  PROP_NAME,
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

  g_clear_object (&self->task);
  g_clear_pointer (&self->size_label, g_free);

  G_OBJECT_CLASS (demo_task_row_parent_class)->finalize (object);
}

/* What the row's progress bar says: the task waits for a thread, or it
 * runs and has not reported progress yet, or how far it got. */
static char *
dup_status (DemoTaskRow *self)
{
  if (js_task_get_state (self->task) == JS_TASK_STATE_QUEUED)
    return g_strdup ("Waiting");
  if (self->progress <= 0.0)
    return g_strdup ("Starting");

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
    case PROP_TASK:
      g_value_set_object (value, self->task);
      break;

    case PROP_NAME:
      g_value_set_string (value, js_task_get_name (self->task));
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
    case PROP_TASK:
      self->task = g_value_dup_object (value);
      break;

    case PROP_PROGRESS:
      {
        double progress = CLAMP (g_value_get_double (value), 0.0, 1.0);

        if (progress == self->progress)
          return;
        self->progress = progress;
        g_object_notify_by_pspec (object, properties[PROP_PROGRESS]);
        g_object_notify_by_pspec (object, properties[PROP_STATUS]);
      }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
on_task_state (JsTask      *task,
               GParamSpec  *pspec,
               DemoTaskRow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
on_task_name (JsTask      *task,
              GParamSpec  *pspec,
              DemoTaskRow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

static void
demo_task_row_constructed (GObject *object)
{
  DemoTaskRow *self = DEMO_TASK_ROW (object);

  G_OBJECT_CLASS (demo_task_row_parent_class)->constructed (object);

  /* The task notifies these in the set's main context: the row follows. */
  g_object_bind_property (self->task, "progress", self, "progress", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->task, "notify::state", G_CALLBACK (on_task_state), self, 0);
  g_signal_connect_object (self->task, "notify::name", G_CALLBACK (on_task_name), self, 0);
}

static void
demo_task_row_class_init (DemoTaskRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = demo_task_row_finalize;
  object_class->constructed = demo_task_row_constructed;
  object_class->get_property = demo_task_row_get_property;
  object_class->set_property = demo_task_row_set_property;

  properties[PROP_TASK] =
    g_param_spec_object ("task", NULL, NULL,
                         JS_TYPE_TASK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
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

/* A row for @task; @size is the size of its file, if it has one. */
DemoTaskRow *
demo_task_row_new (JsTask   *task,
                   gboolean  has_size,
                   guint64   size)
{
  DemoTaskRow *self;

  g_return_val_if_fail (JS_IS_TASK (task), NULL);

  self = g_object_new (DEMO_TYPE_TASK_ROW, "task", task, NULL);
  self->has_size = has_size;
  self->size = size;
  self->size_label = has_size ? g_format_size (size) : g_strdup ("");

  return self;
}

JsTask *
demo_task_row_get_task (DemoTaskRow *self)
{
  g_return_val_if_fail (DEMO_IS_TASK_ROW (self), NULL);

  return self->task;
}

double
demo_task_row_get_progress (DemoTaskRow *self)
{
  g_return_val_if_fail (DEMO_IS_TASK_ROW (self), 0.0);

  return self->progress;
}
