"""Demonstration data: the Warwickshire board, its member bodies and fictional people.

Every row is found by a natural key and brought to the values below, so seeding twice leaves the
same data as seeding once.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from boards.models import Board, BoardMembership, ExecutiveAuthority, Organisation, User

DEMO_PASSWORD = "ShireHall-Warwick-2017"
FIRST_MEETING = date(2017, 12, 6)
BOARD_SLUG = "warwickshire-blue-light"

ORGANISATIONS = [
    {
        "short_name": "Police",
        "name": "Warwickshire Police",
        "kind": Organisation.Kind.POLICE,
        "executive_body": "Chief Constable (Chief Officer Group)",
        "active": True,
        "joined_on": FIRST_MEETING,
        # Handling markings: what the force uploads is OFFICIAL-SENSITIVE unless its people
        # choose otherwise, and its sensitive decision documents stay within the force, the
        # board's chair and the secretariat.
        "default_marking": "official_sensitive",
        "shares_sensitive_decisions": False,
    },
    {
        "short_name": "WFRS",
        "name": "Warwickshire Fire and Rescue Service",
        "kind": Organisation.Kind.FIRE_AND_RESCUE,
        "executive_body": "Fire and Rescue Authority (Cabinet portfolio holder)",
        "active": True,
        "joined_on": FIRST_MEETING,
    },
    {
        "short_name": "WCC",
        "name": "Warwickshire County Council",
        "kind": Organisation.Kind.COUNTY_COUNCIL,
        "executive_body": "Cabinet",
        "active": True,
        "joined_on": FIRST_MEETING,
    },
    {
        "short_name": "OPCC",
        "name": "Office of the Police and Crime Commissioner for Warwickshire",
        "kind": Organisation.Kind.OPCC,
        "executive_body": "Police and Crime Commissioner",
        "active": True,
        "joined_on": FIRST_MEETING,
    },
    {
        "short_name": "WMAS",
        "name": "West Midlands Ambulance Service",
        "kind": Organisation.Kind.AMBULANCE,
        "executive_body": "Trust Board",
        "active": False,
        "joined_on": None,
    },
]

BOARD = {
    "name": "Warwickshire Blue Light Collaboration Joint Advisory Board",
    "terms_of_reference": (
        "The board brings together senior representatives of Warwickshire Police, Warwickshire "
        "Fire and Rescue Service, Warwickshire County Council and the Office of the Police and "
        "Crime Commissioner to find and drive collaboration between the emergency services, "
        "including their contribution to health and social care.\n\n"
        "The board is purely advisory. Every area it identifies is developed and agreed in the "
        "normal way by the executive body of each organisation before it is implemented. The "
        "services keep collaboration opportunities under review, as the Policing and Crime Act "
        "2017 requires."
    ),
    "quorum_bodies": 3,
    "public_pages_enabled": True,
    "public_summary": (
        "Warwickshire's police, fire and rescue service, county council and Police and Crime "
        "Commissioner work together through this board to find and drive collaboration between "
        "the emergency services."
    ),
}


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    job_title: str
    organisation: str  # short name
    roles: tuple[str, ...] = ()
    executive_for: str | None = None
    administrator: bool = False

    @property
    def description(self) -> str:
        parts = [BoardMembership.Role(role).label for role in self.roles]
        if self.executive_for:
            parts.append(f"executive for {self.executive_for}")
        if self.administrator:
            parts.append("administrator")
        return ", ".join(parts)


Role = BoardMembership.Role

PEOPLE = [
    DemoPerson(
        "helen.marsh@opcc.example",
        "Helen Marsh",
        "Deputy Police and Crime Commissioner",
        "OPCC",
        roles=(Role.CHAIR,),
    ),
    DemoPerson(
        "david.okafor@warwickshire-cc.example",
        "Cllr David Okafor",
        "Portfolio Holder for Fire and Community Safety",
        "WCC",
        roles=(Role.VICE_CHAIR,),
    ),
    DemoPerson(
        "simon.ashworth@police.example",
        "Simon Ashworth",
        "Chief Constable",
        "Police",
        roles=(Role.MEMBER,),
    ),
    DemoPerson(
        "rachel.finch@fire.example",
        "Rachel Finch",
        "Chief Fire Officer",
        "WFRS",
        roles=(Role.MEMBER,),
    ),
    DemoPerson(
        "margaret.bell@warwickshire-cc.example",
        "Cllr Margaret Bell",
        "Deputy Leader (Finance and Property)",
        "WCC",
        roles=(Role.MEMBER,),
    ),
    DemoPerson(
        "tom.reid@opcc.example", "Tom Reid", "Chief Executive, OPCC", "OPCC", roles=(Role.MEMBER,)
    ),
    DemoPerson(
        "priya.shah@warwickshire-cc.example",
        "Priya Shah",
        "Board Secretary",
        "WCC",
        roles=(Role.SECRETARIAT,),
    ),
    DemoPerson(
        "andrew.holt@police.example",
        "Andrew Holt",
        "Deputy Chief Constable",
        "Police",
        executive_for="Police",
    ),
    DemoPerson(
        "nadia.cole@fire.example",
        "Cllr Nadia Cole",
        "Fire and Rescue Authority Portfolio Holder",
        "WFRS",
        executive_for="WFRS",
    ),
    DemoPerson(
        "james.whitfield@warwickshire-cc.example",
        "James Whitfield",
        "Head of Cabinet Business",
        "WCC",
        executive_for="WCC",
    ),
    DemoPerson(
        "laura.bennett@opcc.example",
        "Laura Bennett",
        "Police and Crime Commissioner's Decision Officer",
        "OPCC",
        executive_for="OPCC",
    ),
    DemoPerson(
        "admin@bluelight.example", "Sam Carter", "Portal Administrator", "WCC", administrator=True
    ),
]


@transaction.atomic
def seed() -> list[DemoPerson]:
    """Create or bring up to date the demonstration data; returns the demo people."""
    organisations = {
        row["short_name"]: Organisation.objects.update_or_create(
            short_name=row["short_name"], defaults=row
        )[0]
        for row in ORGANISATIONS
    }
    board, _ = Board.objects.update_or_create(slug=BOARD_SLUG, defaults=BOARD)
    board.organisations.set(organisations.values())
    for demo in PEOPLE:
        _seed_person(demo, board, organisations)
    return PEOPLE


def _seed_person(demo: DemoPerson, board: Board, organisations: dict) -> None:
    organisation = organisations[demo.organisation]
    person, created = User.objects.update_or_create(
        email=demo.email,
        defaults={
            "full_name": demo.full_name,
            "job_title": demo.job_title,
            "organisation": organisation,
            "is_active": True,
            "is_staff": demo.administrator,
            "is_superuser": demo.administrator,
        },
    )
    # A new person has no password to check (checking one would hash the password once more
    # for nothing, a deliberate fraction of a second each with the production hasher).
    if created or not person.check_password(DEMO_PASSWORD):
        person.set_password(DEMO_PASSWORD)
        person.save(update_fields=["password"])
    for role in demo.roles:
        BoardMembership.objects.update_or_create(
            person=person,
            board=board,
            role=role,
            starts_on=FIRST_MEETING,
            defaults={"organisation": organisation, "ends_on": None},
        )
    if demo.executive_for:
        ExecutiveAuthority.objects.update_or_create(
            person=person,
            organisation=organisations[demo.executive_for],
            starts_on=FIRST_MEETING,
            defaults={"ends_on": None, "note": "Demonstration delegation"},
        )
