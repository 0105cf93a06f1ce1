from django.apps import AppConfig


class ForwardPlanConfig(AppConfig):
    name = "forwardplan"
    verbose_name = "Decision calendars and the forward plan"

    def ready(self) -> None:
        from core.deletion import guard_deletion

        from . import permissions  # noqa: F401  (registers the forward plan's permission rules)
        from .models import ForumMeeting, PlanEntry, PublishedPlan

        guard_deletion(ForumMeeting, PlanEntry, PublishedPlan)
