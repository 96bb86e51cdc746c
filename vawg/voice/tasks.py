"""Background work for survivor voice, run by the task worker (django-tasks).

The task takes ids only and re-reads everything, so it does nothing if the mark
was removed meanwhile, and a task delivered twice sends one email.
"""

from django_tasks import task

from vawg.voice import services


@task()
def notify_safeguarding_contact(feedback_id: int, actor_id: int | None) -> bool:
    return services.safeguarding_notify(feedback_id=feedback_id, actor_id=actor_id)
