from datetime import date

import factory
from factory.django import DjangoModelFactory

from boards.models import Board, BoardMembership, ExecutiveAuthority, Organisation, User

PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("short_name",)

    name = factory.Sequence(lambda n: f"Test Service {n}")
    short_name = factory.Sequence(lambda n: f"TS{n}")
    kind = Organisation.Kind.POLICE
    executive_body = factory.LazyAttribute(lambda o: f"{o.short_name} Executive")
    active = True
    joined_on = date(2017, 12, 6)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    job_title = "Officer"
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.django.Password(PASSWORD)


class BoardFactory(DjangoModelFactory):
    class Meta:
        model = Board
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Joint Advisory Board {n}")
    slug = factory.Sequence(lambda n: f"board-{n}")
    quorum_bodies = 2

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.set(extracted)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = BoardMembership

    person = factory.SubFactory(UserFactory)
    board = factory.SubFactory(BoardFactory)
    organisation = factory.LazyAttribute(lambda m: m.person.organisation)
    role = BoardMembership.Role.MEMBER
    starts_on = date(2017, 12, 6)


class AuthorityFactory(DjangoModelFactory):
    class Meta:
        model = ExecutiveAuthority

    person = factory.SubFactory(UserFactory)
    organisation = factory.LazyAttribute(lambda a: a.person.organisation)
    starts_on = date(2017, 12, 6)


# --- Meetings ---------------------------------------------------------------------------------

import io  # noqa: E402
from datetime import timedelta  # noqa: E402

from django.core.files.base import ContentFile  # noqa: E402
from django.utils import timezone  # noqa: E402
from pypdf import PdfWriter  # noqa: E402

from meetings.models import Action, AgendaItem, Meeting, MeetingInvitation, Paper, PaperVersion  # noqa: E402


def pdf_bytes(pages: int = 1) -> bytes:
    """A small valid PDF of blank pages."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    board = factory.SubFactory(BoardFactory)
    title = factory.Sequence(lambda n: f"Board meeting {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + timedelta(hours=2))
    venue = "Shire Hall, Warwick"
    created_by = factory.SubFactory(UserFactory)


class MeetingInvitationFactory(DjangoModelFactory):
    class Meta:
        model = MeetingInvitation

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(UserFactory)
    organisation = factory.LazyAttribute(lambda i: i.person.organisation)
    counts_for_quorum = True


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    presenter = "Chair"


class PaperFactory(DjangoModelFactory):
    """A paper with one PDF version of ``pages`` pages."""

    class Meta:
        model = Paper
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Paper {n}")

    @factory.post_generation
    def pages(self, create, extracted, **kwargs):
        if not create:
            return
        content = pdf_bytes(extracted or 1)
        version = PaperVersion(
            paper=self,
            number=1,
            original_name=f"{self.title}.pdf",
            content_type="application/pdf",
            kind="pdf",
            size=len(content),
            uploaded_by=self.meeting.created_by,
            marking=self.marking,
            marking_descriptors=self.marking_descriptors,
        )
        version.file.save("paper.pdf", ContentFile(content), save=False)
        version.save()
        self.current_version = version
        self.save(update_fields=["current_version"])


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = Action

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    created_by = factory.LazyAttribute(lambda a: a.meeting.created_by)
