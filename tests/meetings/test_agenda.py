"""The agenda: ordered items with a presenter and a confidential flag, reordered without a page
reload, and signed off by the chair before the papers go out."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from meetings.models import AgendaItem, Meeting
from tests.factories import AgendaItemFactory

pytestmark = pytest.mark.django_db


def titles(meeting):
    return list(meeting.items.values_list("title", flat=True))


def test_secretariat_adds_items_at_the_end(client_of, meeting, alice):
    response = client_of(alice).post(
        reverse("agenda_item_add", kwargs={"pk": meeting.pk}),
        {
            "title": "Depot sale",
            "presenter": "Cllr Bell",
            "confidential": "on",
            "exempt_paragraph": "3",
        },
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get(title="Depot sale")
    assert (item.position, item.presenter, item.confidential) == (2, "Cllr Bell", True)
    assert titles(meeting) == ["Shared estates", "Depot sale"]


def test_an_items_marking_is_changed_on_its_marking_page_never_ignored_by_the_edit_form(
    client_of, meeting, alice
):
    # The edit form saves an item's title, presenter and exempt status; a marking offered there
    # would be thrown away on saving, so the form sends the secretariat to the marking page.
    item = meeting.items.get()
    url = reverse("agenda_item_edit", kwargs={"pk": meeting.pk, "item": item.pk})
    page = client_of(alice).get(url)
    body = page.content.decode()
    assert 'name="marking"' not in body and 'name="marking_descriptors"' not in body
    assert reverse("marking_change", kwargs={"kind": "agenda-item", "pk": item.pk}) in body
    assert "OFFICIAL" in body
    response = client_of(alice).post(
        url,
        {
            "title": "Shared estates and fleet",
            "version": page.context["form"]["version"].value(),
            "marking": "official_sensitive",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.marking) == ("Shared estates and fleet", "official")
    # A new item is still given its marking as it is added.
    add_page = client_of(alice).get(reverse("agenda_item_add", kwargs={"pk": meeting.pk}))
    assert 'name="marking"' in add_page.content.decode()


def test_an_item_needs_a_title(client_of, meeting, alice):
    response = client_of(alice).post(reverse("agenda_item_add", kwargs={"pk": meeting.pk}), {})
    assert "Enter the title" in response.content.decode()


def test_the_page_script_moves_an_item_and_gets_the_new_order(client_of, meeting, alice):
    second = AgendaItemFactory(meeting=meeting, title="Fleet", position=2)
    response = client_of(alice).post(
        reverse("agenda_item_move", kwargs={"pk": meeting.pk, "item": second.pk}),
        {"direction": "up"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["order"] == [second.pk, meeting.items.get(title="Shared estates").pk]
    assert titles(meeting) == ["Fleet", "Shared estates"]


def test_without_script_moving_an_item_redirects_to_the_meeting(client_of, meeting, alice):
    first = meeting.items.get()
    AgendaItemFactory(meeting=meeting, title="Fleet", position=2)
    response = client_of(alice).post(
        reverse("agenda_item_move", kwargs={"pk": meeting.pk, "item": first.pk}),
        {"direction": "down"},
    )
    assert response["Location"] == meeting.get_absolute_url()
    assert titles(meeting) == ["Fleet", "Shared estates"]


def test_a_bad_direction_is_a_bad_request(client_of, meeting, alice):
    item = meeting.items.get()
    response = client_of(alice).post(
        reverse("agenda_item_move", kwargs={"pk": meeting.pk, "item": item.pk}),
        {"direction": "sideways"},
    )
    assert response.status_code == 400


def test_the_chair_signs_off_and_a_change_withdraws_the_sign_off(client_of, meeting, alice, dave):
    client_of(dave).post(reverse("agenda_sign_off", kwargs={"pk": meeting.pk}))
    meeting.refresh_from_db()
    assert meeting.agenda_signed_off_by == dave
    client_of(alice).post(
        reverse("agenda_item_add", kwargs={"pk": meeting.pk}), {"title": "Late item"}
    )
    meeting.refresh_from_db()
    assert meeting.agenda_signed_off_at is None


def test_an_empty_agenda_cannot_be_signed_off(client_of, meeting, dave):
    meeting.items.all().delete()
    response = client_of(dave).post(
        reverse("agenda_sign_off", kwargs={"pk": meeting.pk}), follow=True
    )
    assert "The agenda has no items yet." in response.content.decode()


def test_the_agenda_is_fixed_once_papers_are_published(client_of, published, alice):
    item = published.items.get()
    response = client_of(alice).post(
        reverse("agenda_item_edit", kwargs={"pk": published.pk, "item": item.pk}),
        {"title": "Changed"},
        follow=True,
    )
    assert "The agenda is fixed once the papers are published." in response.content.decode()
    assert published.items.get().title == "Shared estates"
    response = client_of(alice).post(
        reverse("agenda_item_move", kwargs={"pk": published.pk, "item": item.pk}),
        {"direction": "up"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409


def test_secretariat_removes_an_item(client_of, meeting, alice):
    item = meeting.items.get()
    url = reverse("agenda_item_delete", kwargs={"pk": meeting.pk, "item": item.pk})
    client_of(alice).post(url, {"confirm": "yes"})
    assert not meeting.items.exists()
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.DRAFT


def test_the_removal_banner_offers_an_undo_that_puts_the_item_back(client_of, meeting, alice):
    item = meeting.items.get()
    item.minutes = "Noted."
    item.save()
    client = client_of(alice)
    url = reverse("agenda_item_delete", kwargs={"pk": meeting.pk, "item": item.pk})
    page = client.post(url, {"confirm": "yes"}, follow=True).content.decode()
    restore = reverse("agenda_item_restore", kwargs={"pk": meeting.pk})
    assert "Agenda item “Shared estates” is removed." in page
    assert f'action="{restore}"' in page
    assert 'Undo<span class="visually-hidden"> removing “Shared estates”</span>' in page
    # The banner is shown once, like any message.
    assert f'action="{restore}"' not in client.get(meeting.get_absolute_url()).content.decode()
    page = client.post(restore, follow=True).content.decode()
    assert "Agenda item “Shared estates” is back on the agenda." in page
    back = meeting.items.get()
    assert (back.pk, back.title, back.minutes, back.position) == (
        item.pk,
        "Shared estates",
        "Noted.",
        item.position,
    )
    verbs = list(
        AuditEvent.objects.for_subject(meeting).values_list("verb", flat=True).order_by("pk")
    )
    assert verbs[-2:] == ["meeting.agenda_item_removed", "meeting.agenda_item_restored"]
    # Undone once: a second press has nothing to put back.
    page = client.post(restore, follow=True).content.decode()
    assert "There is no removed agenda item to put back." in page
    assert meeting.items.count() == 1


def test_undo_is_for_the_secretariat_and_only_while_the_agenda_may_change(
    client_of, meeting, alice, dave
):
    item = meeting.items.get()
    client = client_of(alice)
    client.post(
        reverse("agenda_item_delete", kwargs={"pk": meeting.pk, "item": item.pk}),
        {"confirm": "yes"},
    )
    restore = reverse("agenda_item_restore", kwargs={"pk": meeting.pk})
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.PAPERS_PUBLISHED)
    page = client.post(restore, follow=True).content.decode()
    assert "The agenda is fixed once the papers are published." in page
    assert not meeting.items.exists()
    # The chair is not the secretariat: refused before anything is looked at.
    assert client_of(dave).post(restore).status_code == 403


def test_an_item_with_papers_cannot_be_removed(client_of, meeting, alice):
    from tests.factories import PaperFactory

    item = meeting.items.get()
    PaperFactory(meeting=meeting, agenda_item=item)
    response = client_of(alice).post(
        reverse("agenda_item_delete", kwargs={"pk": meeting.pk, "item": item.pk}),
        {"confirm": "yes"},
        follow=True,
    )
    assert "has papers, so it cannot be removed" in response.content.decode()
    assert meeting.items.filter(pk=item.pk).exists()


def test_removing_an_item_asks_first_and_removes_nothing_until_confirmed(client_of, meeting, alice):
    item = meeting.items.get()
    url = reverse("agenda_item_delete", kwargs={"pk": meeting.pk, "item": item.pk})
    page = client_of(alice).get(url).content.decode()
    assert "Remove “Shared estates” from the agenda?" in page
    assert 'name="confirm" value="yes"' in page
    assert meeting.items.filter(pk=item.pk).exists()
    # A post that does not answer the question only asks it again.
    response = client_of(alice).post(url)
    assert response.status_code == 200
    assert "Remove “Shared estates” from the agenda?" in response.content.decode()
    assert meeting.items.filter(pk=item.pk).exists()


def test_a_member_is_not_asked_to_remove_an_item(client_of, meeting, bob):
    item = meeting.items.get()
    url = reverse("agenda_item_delete", kwargs={"pk": meeting.pk, "item": item.pk})
    assert client_of(bob).get(url).status_code in (403, 404)
    assert client_of(bob).post(url, {"confirm": "yes"}).status_code in (403, 404)
    assert meeting.items.filter(pk=item.pk).exists()
