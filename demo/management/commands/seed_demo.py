from django.conf import settings
from django.core.management.base import BaseCommand

from demo import boards as demo
from demo import meetings as demo_meetings
from demo import opportunities as register_demo


class Command(BaseCommand):
    help = (
        "Load (or bring up to date) the demonstration board, bodies, fictional people and meetings."
    )

    def handle(self, *args, **options) -> None:
        people = demo.seed()
        register_demo.seed()
        demo_meetings.seed()
        register_demo.link_agenda()
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write(f"\nDemo sign-ins (every password: {demo.DEMO_PASSWORD})\n")
        width = max(len(person.email) for person in people)
        for person in people:
            self.stdout.write(
                f"  {person.email:<{width}}  {person.full_name} — {person.description}"
            )
        self.stdout.write(f"\nPortal: {settings.SITE_URL}/\n")
