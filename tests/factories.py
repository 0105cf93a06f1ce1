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
