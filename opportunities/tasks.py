from celery import shared_task

from .reminders import decision_reminders_send
from .review_reminders import review_reminders_send


@shared_task(acks_late=True)
def send_decision_reminders() -> int:
    """Daily: decisions due within a week, and overdue ones (each reminded once)."""
    return decision_reminders_send()


@shared_task(acks_late=True)
def send_review_reminders() -> int:
    """Hourly: reviews due within a fortnight, and overdue ones (each reminded once)."""
    return review_reminders_send()


@shared_task(acks_late=True, max_retries=3, default_retry_delay=30)
def build_decision_notice(referral_id: int, generation: int) -> None:
    """Build the decision notice PDF asked for by ``generation``; a newer request makes this
    one moot."""
    from .notices import decision_notice_store

    decision_notice_store(referral_id=referral_id, generation=generation)
