from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import boards as demo
from demo import forwardplan as demo_forward_plan
from demo import meetings as demo_meetings
from demo import opportunities as register_demo


class Command(BaseCommand):
    help = (
        "Load (or bring up to date) the demonstration board, bodies, fictional people and meetings."
    )

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            # The demo people, the administrator included, share one published password.
            raise CommandError(
                "seed_demo loads fictional people whose password is published in the README, "
                "so it never runs in production (BLUELIGHT_ENV=production). Create the first "
                "administrator with `python manage.py createsuperuser` instead."
            )
        people = demo.seed()
        register_demo.seed()
        demo_meetings.seed()
        register_demo.link_agenda()
        demo_forward_plan.seed()
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write(f"\nDemo sign-ins (every password: {demo.DEMO_PASSWORD})\n")
        width = max(len(person.email) for person in people)
        for person in people:
            self.stdout.write(
                f"  {person.email:<{width}}  {person.full_name} — {person.description}"
            )
        self.stdout.write(f"\nPortal: {settings.SITE_URL}/\n")
