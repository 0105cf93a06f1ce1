from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = "Collaboration register"

    def ready(self) -> None:
        from core.deletion import guard_deletion
        from core.files import delete_files_with_rows

        from . import permissions  # noqa: F401  (registers the register's permission rules)
        from .models import (
            Benefit,
            Milestone,
            Opportunity,
            Recommendation,
            RecommendationPaper,
            Referral,
            ReferralDocument,
            ReferralEvent,
            Review,
        )

        guard_deletion(
            Benefit,
            Milestone,
            Opportunity,
            Recommendation,
            RecommendationPaper,
            Referral,
            ReferralDocument,
            ReferralEvent,
            Review,
        )
        delete_files_with_rows(ReferralDocument)

        from .marking_kinds import register_kinds

        register_kinds()

        # Every table (one added by a later migration too) moves the pages' data version.
        post_migrate.connect(_install_page_triggers, sender=self)


def _install_page_triggers(sender, using: str = "default", **kwargs) -> None:
    from django.db import connections

    from core.data_versions import install_page_triggers

    install_page_triggers(connections[using])
