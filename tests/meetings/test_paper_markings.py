"""Marking papers and agenda items: chosen on upload or creation (defaulting to the uploader's
body's default), refused when the descriptor comes without OFFICIAL-SENSITIVE, and shown as a
labelled badge on the meeting's page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.markings import Descriptor, Level
from meetings.models import AgendaItem, Paper, PaperVersion
from tests.factories import pdf_bytes

pytestmark = pytest.mark.django_db


def upload(client, meeting, url=None, **fields):
    return client.post(
        url or reverse("paper_upload", kwargs={"pk": meeting.pk}),
        {
            "title": "Depot pricing",
            "agenda_item": "",
            "file": SimpleUploadedFile("pricing.pdf", pdf_bytes(), content_type="application/pdf"),
            **fields,
        },
        follow=True,
    )


def test_a_paper_uploaded_as_sensitive_commercial_is_stored_and_shown_so(
    client_of, published, alice, bob
):
    upload(
        client_of(alice),
        published,
        marking=Level.OFFICIAL_SENSITIVE,
        marking_descriptors=Descriptor.COMMERCIAL,
    )
    paper = Paper.objects.get()
    assert paper.handling.text == "OFFICIAL-SENSITIVE COMMERCIAL"
    assert PaperVersion.objects.get().handling == paper.handling
    page = client_of(bob).get(published.get_absolute_url()).content.decode()
    assert "Handling marking: </span>OFFICIAL-SENSITIVE COMMERCIAL" in page


def test_the_upload_form_starts_at_the_uploaders_bodys_default(client_of, published, alice, police):
    police.default_marking = Level.OFFICIAL_SENSITIVE
    police.default_marking_descriptors = Descriptor.PERSONAL
    police.save()
    form = client_of(alice).get(reverse("paper_upload", kwargs={"pk": published.pk}))
    assert form.context["form"].initial["marking"] == Level.OFFICIAL_SENSITIVE
    # A form sent without a marking (an older page) takes the same default.
    upload(client_of(alice), published)
    assert Paper.objects.get().handling.text == "OFFICIAL-SENSITIVE PERSONAL"


def test_a_descriptor_without_official_sensitive_is_refused_with_a_message(
    client_of, published, alice
):
    response = upload(
        client_of(alice), published, marking=Level.OFFICIAL, marking_descriptors=Descriptor.LOCSEN
    )
    assert response.status_code == 200
    assert "Descriptors are used only with OFFICIAL-SENSITIVE." in response.content.decode()
    assert not Paper.objects.exists()


def test_an_unknown_marking_is_refused_with_a_message(client_of, published, alice):
    response = upload(client_of(alice), published, marking="top_secret")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Paper.objects.exists()


def test_a_new_version_carries_its_own_marking_and_the_paper_follows_it(
    client_of, published, alice
):
    upload(client_of(alice), published, marking=Level.OFFICIAL_SENSITIVE)
    paper = Paper.objects.get()
    url = reverse("paper_new_version", kwargs={"pk": published.pk, "paper": paper.pk})
    form = client_of(alice).get(url).context["form"]
    assert form.initial["marking"] == Level.OFFICIAL_SENSITIVE  # the paper's own, to start
    upload(client_of(alice), published, url=url, marking=Level.OFFICIAL)
    paper.refresh_from_db()
    assert not paper.is_sensitive
    assert [v.marking for v in paper.versions.order_by("number")] == [
        Level.OFFICIAL_SENSITIVE,
        Level.OFFICIAL,
    ]


def test_an_agenda_item_is_marked_on_its_form_and_shown_on_the_agenda(client_of, meeting, alice):
    url = reverse("agenda_item_add", kwargs={"pk": meeting.pk})
    response = client_of(alice).post(
        url,
        {
            "title": "Custody suite sharing",
            "presenter": "Chair",
            "marking": Level.OFFICIAL_SENSITIVE,
            "marking_descriptors": Descriptor.LOCSEN,
        },
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get(title="Custody suite sharing")
    assert item.handling.text == "OFFICIAL-SENSITIVE LOCSEN"
    page = client_of(alice).get(meeting.get_absolute_url()).content.decode()
    assert "Handling marking: </span>OFFICIAL-SENSITIVE LOCSEN" in page
    refused = client_of(alice).post(
        url, {"title": "Other", "marking": Level.OFFICIAL, "marking_descriptors": Descriptor.LOCSEN}
    )
    assert refused.status_code == 200
    assert "Descriptors are used only with OFFICIAL-SENSITIVE." in refused.content.decode()
