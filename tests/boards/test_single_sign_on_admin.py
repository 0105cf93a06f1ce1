"""Administrators register a body's identity provider; its client secret is written, kept
sealed and never shown back."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from boards.models import OrganisationSignOn
from core.sealed import CannotUnseal, seal, unseal
from tests.factories import UserFactory
from tests.two_factor import pass_second_factor

pytestmark = pytest.mark.django_db

SECRET = "the-client-secret-nobody-may-read-back"


@pytest.fixture
def administrator(client):
    person = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    pass_second_factor(client, person)
    return client


def form_data(organisation, **changes):
    return {
        "organisation": organisation.pk,
        "enabled": "on",
        "provider_name": "your Warwickshire Police account",
        "issuer": "https://login.police.example/tenant/v2.0",
        "client_id": "portal-client",
        "client_secret": SECRET,
        "email_domains": "Police.example, @police.example.org",
        "accepts_provider_mfa": "on",
        **changes,
    }


def test_an_administrator_registers_a_bodys_provider_with_its_secret_sealed(administrator, police):
    response = administrator.post(reverse("admin:boards_organisationsignon_add"), form_data(police))
    assert response.status_code == 302
    sign_on = OrganisationSignOn.objects.get(organisation=police)
    assert SECRET not in sign_on.client_secret_sealed
    assert sign_on.client_secret() == SECRET
    assert sign_on.domains == ["police.example", "police.example.org"]
    event = AuditEvent.objects.get(verb="organisation.sign_on_added")
    assert SECRET not in str(event.after) and SECRET not in event.summary


def test_the_secret_is_never_shown_back_and_an_empty_field_keeps_it(administrator, police):
    administrator.post(reverse("admin:boards_organisationsignon_add"), form_data(police))
    sign_on = OrganisationSignOn.objects.get(organisation=police)
    change = reverse("admin:boards_organisationsignon_change", args=[sign_on.pk])
    page = administrator.get(change).content.decode()
    listing = administrator.get(reverse("admin:boards_organisationsignon_changelist"))
    assert SECRET not in page and sign_on.client_secret_sealed not in page
    assert SECRET not in listing.content.decode()
    assert "/sign-in/organisation/callback/" in page  # the redirect URI to register

    version = administrator.get(change).context["adminform"].form["version"].value()
    response = administrator.post(
        change, form_data(police, client_secret="", client_id="new", version=version)
    )
    assert response.status_code == 302
    sign_on.refresh_from_db()
    assert sign_on.client_id == "new"
    assert sign_on.client_secret() == SECRET


def test_a_new_provider_needs_a_secret_and_real_domains(administrator, police):
    response = administrator.post(
        reverse("admin:boards_organisationsignon_add"),
        form_data(police, client_secret="", email_domains="not a domain"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter the client secret." in body
    assert "is not an e-mail domain" in body
    assert not OrganisationSignOn.objects.exists()


def test_a_domain_belongs_to_one_body_only(administrator, police, fire):
    administrator.post(reverse("admin:boards_organisationsignon_add"), form_data(police))
    response = administrator.post(
        reverse("admin:boards_organisationsignon_add"),
        form_data(fire, email_domains="fire.example, police.example"),
    )
    assert response.status_code == 200
    assert "police.example already belongs to Warwickshire Police" in response.content.decode()


def test_a_board_member_cannot_reach_the_providers(client_of, alice):
    response = client_of(alice).get(reverse("admin:boards_organisationsignon_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_sealed_secret_opens_only_with_a_key_the_portal_still_has(settings):
    sealed, old_key = seal(SECRET), settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "k" * 50
    with pytest.raises(CannotUnseal):
        unseal(sealed)
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert unseal(sealed) == SECRET


def test_registering_changing_or_removing_a_provider_asks_for_a_fresh_second_factor(
    administrator, police
):
    # A body's provider signs in any of its people (its multi-factor sign-in may count as the
    # portal's second factor): as sensitive as giving someone a role, so asked for the same way.
    import time

    from boards.two_factor import VERIFIED_AT

    administrator.post(reverse("admin:boards_organisationsignon_add"), form_data(police))
    sign_on = OrganisationSignOn.objects.get(organisation=police)
    session = administrator.session
    session[VERIFIED_AT] = int(time.time()) - 60 * 60
    session.save()
    verify = reverse("two_factor_verify")
    change = reverse("admin:boards_organisationsignon_change", args=[sign_on.pk])
    for response in (
        administrator.get(change),
        administrator.post(
            change, form_data(police, issuer="https://login.elsewhere.example/v2.0")
        ),
        administrator.post(
            reverse("admin:boards_organisationsignon_add"), form_data(police, client_id="x")
        ),
        administrator.post(
            reverse("admin:boards_organisationsignon_delete", args=[sign_on.pk]), {"post": "yes"}
        ),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(verify)
    sign_on.refresh_from_db()
    assert sign_on.issuer == "https://login.police.example/tenant/v2.0"
    assert OrganisationSignOn.objects.count() == 1


def test_an_older_page_never_undoes_a_newer_change(administrator, police):
    # One administrator switches the body's sign-in off; another, who opened the page before,
    # saves it with it still on: refused, and the sign-in stays off.
    administrator.post(reverse("admin:boards_organisationsignon_add"), form_data(police))
    sign_on = OrganisationSignOn.objects.get(organisation=police)
    change = reverse("admin:boards_organisationsignon_change", args=[sign_on.pk])
    opened = administrator.get(change).context["adminform"].form["version"].value()
    switched_off = form_data(police, enabled="", client_secret="", version=opened)
    assert administrator.post(change, switched_off).status_code == 302
    stale = administrator.post(
        change, form_data(police, client_secret="", client_id="older", version=opened)
    )
    assert stale.status_code == 200
    assert "was changed by someone else after you opened this page" in stale.content.decode()
    sign_on.refresh_from_db()
    assert (sign_on.enabled, sign_on.client_id) == (False, "portal-client")


@pytest.mark.parametrize(
    "issuer",
    [
        "https://127.0.0.1/tenant/v2.0",
        "https://[::1]/tenant/v2.0",
        "https://169.254.169.254/latest/",
        "https://login.internal.example.org/tenant/v2.0",
    ],
)
def test_an_issuer_inside_a_private_network_is_refused_when_saved(
    administrator, police, resolver, settings, issuer
):
    # The discovery document and keys are fetched from the issuer's address: one reaching
    # inside the portal's own network is refused on the form, not only when first used.
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    resolver.answer("login.internal.example.org", ["10.1.2.3"])
    response = administrator.post(
        reverse("admin:boards_organisationsignon_add"), form_data(police, issuer=issuer)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    host = issuer.split("/")[2].strip("[]")
    assert errors["issuer"] == [
        f"Enter a web address on the public internet: {host} is inside a private network."
    ]
    assert not OrganisationSignOn.objects.exists()
    assert not AuditEvent.objects.filter(verb="organisation.sign_on_added").exists()


def test_changing_the_issuer_to_a_private_address_is_refused(
    administrator, police, resolver, settings
):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    administrator.post(reverse("admin:boards_organisationsignon_add"), form_data(police))
    sign_on = OrganisationSignOn.objects.get(organisation=police)
    change = reverse("admin:boards_organisationsignon_change", args=[sign_on.pk])
    version = administrator.get(change).context["adminform"].form["version"].value()
    resolver.answer("sso.internal.example.org", ["192.168.4.5"])
    response = administrator.post(
        change,
        form_data(police, issuer="https://sso.internal.example.org/", version=version),
    )
    assert response.status_code == 200
    assert "sso.internal.example.org is inside a private network" in response.content.decode()
    sign_on.refresh_from_db()
    assert sign_on.issuer == "https://login.police.example/tenant/v2.0"


def test_an_issuer_on_the_public_internet_is_accepted(administrator, police, resolver, settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    resolver.answer("login.microsoftonline.example.com", ["20.190.151.7", "2603:1026:3000::7"])
    issuer = "https://login.microsoftonline.example.com/tenant/v2.0"
    response = administrator.post(
        reverse("admin:boards_organisationsignon_add"), form_data(police, issuer=issuer)
    )
    assert response.status_code == 302
    assert OrganisationSignOn.objects.get(organisation=police).issuer == issuer
    assert resolver.lookups == ["login.microsoftonline.example.com"]
