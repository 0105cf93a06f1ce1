"""Pages of board meetings. Thin: fetch through a permission check, validate a form, call one
service, redirect. Papers and PDFs are streamed only from here, never from a media URL."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.selectors import document_issue_of
from audit.services import download_record
from boards import two_factor
from boards.http import AuthenticatedHttpRequest
from boards.models import BoardMembership
from boards.permissions import board_for, is_secretariat
from core import caching, check_answers, undo
from core.concurrency import NEVER, EditConflict
from core.govuk import count_of, govuk_day_datetime
from core.markings import marking_initial
from core.page_cache import cached_page, kept_while_unchanged
from core.pagination import CountedAheadPaginator
from notifications.services import notification_retry
from opportunities import permissions as opportunity_permissions
from opportunities.forms import RecommendationForm
from opportunities.services import WorkflowError

from . import calendars, permissions, selectors
from . import services as meeting_services
from .forms import (
    ActionForm,
    ActionStatusForm,
    AdmissionForm,
    AgendaItemForm,
    AttendanceForm,
    CancelForm,
    DeclarationForm,
    GuestInviteForm,
    InterestForm,
    InviteeForm,
    MeetingEditForm,
    MeetingForm,
    MinutesForm,
    PaperUploadForm,
    ReplyForm,
    ReplyRecordForm,
    ResolutionForm,
)
from .models import (
    Action,
    AgendaItem,
    CalendarFeed,
    DeclarationOfInterest,
    ExemptItemAdmission,
    Meeting,
    Paper,
    PaperVersion,
    RegisteredInterest,
    Resolution,
)
from .moves import CHAIR_ONLY, MOVES, SECRETARIAT_ONLY, blocker, moves_open_to
from .pdfs import MINUTES_PART1
from .services import MeetingRefused

Status = Meeting.Status

MEETINGS_PER_PAGE = 25
UPCOMING_SHOWN = 20
# What a line of the meetings list shows.
MEETING_ROW_FIELDS = ("title", "starts_at", "venue", "online_link", "status")


def _bad_request(request: AuthenticatedHttpRequest, sentence: str) -> HttpResponse:
    """A 400 in the portal's layout, saying in a sentence what was wrong."""
    return render(
        request,
        "error.html",
        {"status": 400, "title": "The request could not be understood", "detail": sentence},
        status=400,
    )


def _posted(request: AuthenticatedHttpRequest):
    """The submitted data on POST (even when empty, so the form shows what is missing)."""
    return request.POST if request.method == "POST" else None


def _meeting_for(
    request: AuthenticatedHttpRequest, pk: int, rule=None, refusal: str = SECRETARIAT_ONLY
):
    """The meeting, if the person may see it (404 otherwise) and do what ``rule`` asks (403)."""
    meeting = get_object_or_404(Meeting.objects.select_related("board"), pk=pk)
    if not permissions.can_view_meeting(request.user, meeting):
        raise Http404("No meeting here that you are invited to.")
    if rule is not None and not rule(request.user, meeting):
        raise PermissionDenied(refusal)
    return meeting


def refusals_shown(view):
    """A refused operation goes back to the meeting's page with the reason, not an error page."""

    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        try:
            return view(request, pk, *args, **kwargs)
        except MeetingRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("meeting_detail", pk=pk)

    return wrapper


# --- Lists and the meeting page ----------------------------------------------------------------


@require_GET
@cached_page
def meeting_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = board_for(request.user, slug)
    meetings = (
        selectors.meetings_visible_to(request.user).filter(board=board).only(*MEETING_ROW_FIELDS)
    )
    now = timezone.now()
    upcoming_all = meetings.filter(ends_at__gte=now).order_by("starts_at")
    # One more than is shown says whether they need counting at all.
    upcoming = list(upcoming_all[: UPCOMING_SHOWN + 1])
    upcoming_count = upcoming_all.count() if len(upcoming) > UPCOMING_SHOWN else len(upcoming)
    past = CountedAheadPaginator(
        meetings.filter(ends_at__lt=now).order_by("-starts_at"), MEETINGS_PER_PAGE
    )
    page = past.get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "board": board,
            "upcoming": upcoming[:UPCOMING_SHOWN],
            "upcoming_count": upcoming_count,
            "past": page.object_list,
            "page": page,
            "may_create": is_secretariat(request.user, board),
            "may_see_statistics": permissions.can_see_attendance_statistics(request.user, board),
        },
    )


@require_GET
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk)
    person = request.user
    papers = Paper.objects.select_related("current_version", "agenda_item").filter(
        current_version__isnull=False
    )
    may_view_papers = permissions.can_view_papers(person, meeting)
    confidential_ok = permissions.may_see_confidential(person, meeting)
    admitted = permissions.admitted_items(person, meeting)
    may_manage = permissions.can_manage_meeting(person, meeting)
    may_chair = permissions.can_chair_meeting(person, meeting)
    moves = moves_open_to(person, meeting)
    all_items = meeting.items.select_related(
        "opportunity", "confirms_minutes_of__minutes_approved_by"
    ).prefetch_related(
        Prefetch("papers", queryset=papers),
        Prefetch("resolutions", queryset=Resolution.objects.select_related("recommendation")),
    )
    # The members' numbering for everyone; an exempt item the person may not see is its number
    # and its reason only.
    items = selectors.numbered_agenda(all_items, confidential_ok=confidential_ok, admitted=admitted)
    general_papers = list(papers.filter(meeting=meeting, agenda_item__isnull=True))
    invitations = selectors.meeting_invitations(meeting)
    selectors.label_roles(meeting, invitations)
    # Exempt items are already withheld from those not entitled to them, so every paper shown
    # may be opened once the person may see the meeting's papers.
    shown = [item for item in items if isinstance(item, AgendaItem)]
    for paper in general_papers + [p for item in shown for p in item.papers.all()]:
        paper.visible = may_view_papers
    mine = permissions.invitation_of(person, meeting)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "general_papers": general_papers,
            "invitations": invitations,
            "my_invitation": mine,
            "moves": moves,
            # The secretariat's tools while the meeting still moves on, the chair's sign-off,
            # and any move the person may make.
            "show_next_steps": bool(moves)
            or (may_manage and bool(meeting.next_statuses()))
            or (may_chair and meeting.agenda_is_editable and not meeting.agenda_signed_off_at),
            "may_view_papers": may_view_papers,
            "confidential_ok": confidential_ok,
            "quorum": selectors.meeting_quorum(board=meeting.board, invitations=invitations),
            "attended_quorum": selectors.meeting_quorum(
                board=meeting.board, invitations=invitations, by_attendance=True
            ),
            "inquorate_items": selectors.items_inquorate_by_interests(meeting, shown, invitations),
            "exempt_items_withheld": sum(1 for item in items if item.withheld),
            "declarations": selectors.open_business(
                DeclarationOfInterest.objects.filter(meeting=meeting),
                confidential_ok=confidential_ok,
                admitted=admitted,
            ).select_related("person", "agenda_item"),
            "matters_arising": selectors.matters_arising(person, meeting),
            "failed_messages": list(selectors.failed_meeting_messages(meeting))
            if may_manage
            else [],
            "actions": selectors.open_business(
                Action.objects.filter(meeting=meeting),
                confidential_ok=confidential_ok,
                admitted=admitted,
            ).select_related("owner", "agenda_item", "meeting__board"),
            "minutes_issue": document_issue_of(meeting, MINUTES_PART1)
            if meeting.minutes_pdf_state == Meeting.FileState.READY
            else None,
        },
    )


@require_POST
def meeting_message_resend(request: AuthenticatedHttpRequest, pk: int, message: int):
    """Send again one of the meeting's calendar e-mails that failed (secretariat)."""
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    found = selectors.meeting_messages(meeting).filter(pk=message).first()
    if found is None:
        raise Http404("There is no message of this meeting at this address.")
    if notification_retry(board=meeting.board, pk=found.pk):
        messages.success(
            request, f"The e-mail to {found.recipient.full_name} is queued to be sent again."
        )
    else:
        messages.error(request, "Only an e-mail that failed can be sent again; this one has not.")
    return redirect(meeting)


# --- Creating, changing and moving a meeting on -------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = board_for(request.user, slug, is_secretariat)
    form = MeetingForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        meeting = form.save(commit=False)
        meeting.board = board
        meeting_services.meeting_create(meeting=meeting, actor=request.user)
        messages.success(
            request, "The meeting is saved as a draft. Build its agenda, then schedule it."
        )
        return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "board": board})


@require_http_methods(["GET", "POST"])
@refusals_shown
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    form = MeetingEditForm(
        _posted(request),
        instance=Meeting.objects.get(pk=meeting.pk),
        version=meeting.edit_version,
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.meeting_update(
                meeting=meeting,
                actor=request.user,
                seen_version=form.opened_version,
                **form.edited_data(),
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
        else:
            told = (
                " Invitees are being sent the updated invitation."
                if (meeting.status != Status.DRAFT and form.has_changed())
                else ""
            )
            messages.success(request, "The meeting's details are saved." + told)
            return redirect(meeting)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "board": meeting.board, "meeting": meeting},
    )


@require_POST
@refusals_shown
def meeting_transition(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    move = MOVES.get(request.POST.get("to", ""))
    if move is None or move.page is not None:
        return _bad_request(request, "That is not a step a meeting can take.")
    meeting = _meeting_for(request, pk, move.allowed, move.refusal)
    if move.to == Status.MINUTES_APPROVED and not two_factor.is_fresh(request):
        # Approving the minutes needs a recent second factor; nothing changes until then.
        return two_factor.step_up_redirect(request, meeting.get_absolute_url())
    if move.to == Status.MINUTES_APPROVED and not check_answers.is_confirmation(request):
        return _minutes_check_page(request, meeting, move)
    meeting_services.meeting_transition(meeting=meeting, actor=request.user, to=move.to)
    messages.success(request, move.done)
    return redirect(meeting)


@require_http_methods(["GET", "POST"])
@refusals_shown
def meeting_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    move = MOVES[Status.CANCELLED]
    meeting = _meeting_for(request, pk, move.allowed, move.refusal)
    refusal = blocker(meeting, move.to)
    if refusal:
        raise MeetingRefused(refusal)
    pending = check_answers.PendingAnswers(request, f"cancel-meeting-{meeting.pk}")
    form = CancelForm(_cancel_data(request, pending))
    if check_answers.is_confirmation(request) and not form.is_bound:
        messages.error(request, check_answers.NOT_KEPT)
        return redirect("meeting_cancel", pk=meeting.pk)
    if request.method == "POST" and form.is_valid():
        if not check_answers.is_confirmation(request):
            pending.keep()
            return redirect(check_answers.check_url(request))
        pending.discard()
        meeting_services.meeting_transition(
            meeting=meeting,
            actor=request.user,
            to=Status.CANCELLED,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, MOVES[Status.CANCELLED].done)
        return redirect(meeting)
    if check_answers.CHECK_PARAMETER in request.GET and form.is_bound and form.is_valid():
        return _cancel_check_page(request, meeting, form)
    return render(request, "meetings/meeting_cancel.html", {"form": form, "meeting": meeting})


def _cancel_data(request: AuthenticatedHttpRequest, pending: check_answers.PendingAnswers):
    """The reason as posted; as kept on the check page and its "Change" link; else none."""
    if request.method == "POST" and not check_answers.is_confirmation(request):
        return request.POST
    if check_answers.is_confirmation(request) or set(request.GET) & {
        check_answers.CHECK_PARAMETER,
        check_answers.CHANGE_PARAMETER,
    }:
        return pending.data()
    pending.discard()
    return None


def _cancel_check_page(
    request: AuthenticatedHttpRequest, meeting: Meeting, form: CancelForm
) -> HttpResponse:
    invitees = meeting.invitations.count()
    return check_answers.render_check_page(
        request,
        title=f"Check your answers \u2013 Cancel {meeting.title}",
        heading=f"Check before you cancel {meeting.title}",
        rows=[
            check_answers.Row(
                "Meeting",
                f"{meeting.title}, {govuk_day_datetime(timezone.localtime(meeting.starts_at))}",
            ),
            *check_answers.rows_from_form(request, form, ["reason"]),
            check_answers.Row("Who is told", f"{count_of(invitees, 'invitee')}, by email"),
        ],
        confirm_label="Cancel the meeting",
        back_url=meeting.get_absolute_url(),
        back_label="Keep the meeting",
        warning="Cancelling cannot be undone: every invitee is emailed the cancellation, which "
        "removes the meeting from their calendar.",
        context={"check_back_crumb": meeting.title},
    )


def _minutes_check_page(request: AuthenticatedHttpRequest, meeting: Meeting, move) -> HttpResponse:
    items = list(meeting.items.only("minutes", "minute_reference"))
    minuted = [item for item in items if item.minutes.strip()]
    references = [item.minute_reference for item in items if item.minute_reference]
    return check_answers.render_check_page(
        request,
        title=f"Check your answers \u2013 Approve the minutes of {meeting.title}",
        heading=f"Check before you approve the minutes of {meeting.title}",
        rows=[
            check_answers.Row(
                "Meeting",
                f"{meeting.title}, {govuk_day_datetime(timezone.localtime(meeting.starts_at))}",
            ),
            check_answers.Row(
                "Minutes",
                f"{len(minuted)} of {count_of(len(items), 'agenda item')} minuted",
                change_url=f"{meeting.get_absolute_url()}#agenda-heading",
            ),
            check_answers.Row(
                "Minute references",
                f"{references[0]} to {references[-1]}"
                if len(references) > 1
                else (references[0] if references else check_answers.NOT_GIVEN),
            ),
            check_answers.Row("Approved by", request.user.full_name),
        ],
        confirm_label="Approve the minutes",
        back_url=meeting.get_absolute_url(),
        back_label="Not yet: back to the meeting",
        warning="Once approved, the minutes are locked, their PDF is produced and every "
        "invitee is told; the public pages show the business that is not exempt.",
        hidden={"to": move.to},
        action=reverse("meeting_transition", kwargs={"pk": meeting.pk}),
        context={"check_back_crumb": meeting.title},
    )


# --- Invitations and replies -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@refusals_shown
def invitee_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    form = InviteeForm(_posted(request), meeting=meeting)
    if request.method == "POST" and form.is_valid():
        invitation = meeting_services.invitee_add(
            meeting=meeting, person=form.cleaned_data["person"], actor=request.user
        )
        kind = "a guest" if invitation.is_guest else "a member"
        messages.success(request, f"{invitation.person.full_name} is invited as {kind}.")
        return redirect(meeting)
    return render(request, "meetings/invitee_form.html", {"form": form, "meeting": meeting})


@require_http_methods(["GET", "POST"])
@refusals_shown
def guest_invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Invite an external guest by e-mail to this meeting only."""
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    if meeting.status not in (Status.DRAFT, Status.SCHEDULED, Status.PAPERS_PUBLISHED):
        raise MeetingRefused("Invitees can only be added before the meeting is held.")
    form = GuestInviteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = meeting_services.guest_invite(
                meeting=meeting, actor=request.user, **form.cleaned_data
            )
        except MeetingRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                f"{invitation.person.full_name} is invited to this meeting as a guest.",
            )
            return redirect(meeting)
    return render(request, "meetings/guest_form.html", {"form": form, "meeting": meeting})


@require_http_methods(["GET", "POST"])
@refusals_shown
def invitation_reply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk)
    invitation = permissions.invitation_of(request.user, meeting)
    if invitation is None:
        raise PermissionDenied("You are not invited to this meeting, so there is nothing to reply.")
    if not meeting.accepts_replies:
        raise MeetingRefused("Replies to this meeting are closed.")
    initial = {
        "reply": request.GET.get("answer", invitation.reply),
        "substitute_name": invitation.substitute_name,
    }
    form = ReplyForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        meeting_services.invitation_reply(invitation=invitation, **form.cleaned_data)
        messages.success(request, f"Thank you: your reply is “{invitation.get_reply_display()}”.")
        return redirect(meeting)
    return render(
        request,
        "meetings/reply_form.html",
        {"form": form, "meeting": meeting, "invitation": invitation},
    )


@require_http_methods(["GET", "POST"])
@refusals_shown
def exempt_admissions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The secretariat admits named guests or observers to named exempt items, and lists who
    is admitted to what."""
    meeting = _meeting_for(request, pk, permissions.can_admit_to_exempt_item)
    form = AdmissionForm(_posted(request), meeting=meeting)
    if request.method == "POST" and form.is_valid():
        item, person = form.cleaned_data["agenda_item"], form.cleaned_data["person"]
        refusal = meeting_services.admission_refusal(item=item, person=person)
        if refusal:
            form.add_error("person", refusal)
        else:
            meeting_services.exempt_admission_add(item=item, person=person, actor=request.user)
            messages.success(request, f"{person.full_name} is admitted to “{item.title}”.")
            return redirect("exempt_admissions", pk=meeting.pk)
    admissions = (
        ExemptItemAdmission.objects.in_force()
        .filter(agenda_item__meeting=meeting)
        .select_related("agenda_item", "person__organisation", "admitted_by")
    )
    return render(
        request,
        "meetings/admissions.html",
        {"form": form, "meeting": meeting, "admissions": admissions},
    )


@require_POST
@refusals_shown
def exempt_admission_remove(request: AuthenticatedHttpRequest, pk: int, admission: int):
    meeting = _meeting_for(request, pk, permissions.can_admit_to_exempt_item)
    found = get_object_or_404(
        ExemptItemAdmission.objects.in_force().select_related("agenda_item__meeting", "person"),
        pk=admission,
        agenda_item__meeting=meeting,
    )
    meeting_services.exempt_admission_remove(admission=found, actor=request.user)
    messages.success(request, f"{found.person.full_name} is no longer admitted to that item.")
    return redirect("exempt_admissions", pk=meeting.pk)


@require_http_methods(["GET", "POST"])
@refusals_shown
def reply_record(request: AuthenticatedHttpRequest, pk: int, invitation: int) -> HttpResponse:
    """The secretariat records an invitee's reply given by phone or e-mail."""
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    found = get_object_or_404(
        meeting.invitations.select_related("person", "organisation"), pk=invitation
    )
    found.meeting = meeting
    initial = {"reply": found.reply, "substitute_name": found.substitute_name}
    form = ReplyRecordForm(_posted(request), initial=initial, invitation=found)
    form.fields["reply"].label = f"Reply of {found.person.full_name}"
    if request.method == "POST" and form.is_valid():
        meeting_services.invitation_reply_record(
            invitation=found, actor=request.user, **form.cleaned_data
        )
        messages.success(
            request,
            f"{found.person.full_name}'s reply is recorded: “{found.get_reply_display()}”.",
        )
        return redirect(meeting)
    return render(
        request,
        "meetings/reply_record_form.html",
        {"form": form, "meeting": meeting, "invitation": found},
    )


# --- Agenda ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@refusals_shown
def agenda_item_form(
    request: AuthenticatedHttpRequest, pk: int, item: int | None = None
) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    instance = get_object_or_404(meeting.items, pk=item) if item else AgendaItem(meeting=meeting)
    if not item:  # a new item starts with the secretariat's body's default marking
        instance.marking = request.user.default_handling.level
        instance.marking_descriptors = request.user.default_handling.descriptors
    if not meeting.agenda_is_editable:
        raise MeetingRefused("The agenda is fixed once the papers are published.")
    form = AgendaItemForm(
        _posted(request), instance=instance, version=instance.edit_version if item else NEVER
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.agenda_item_save(
                item=form.save(commit=False), actor=request.user, seen_version=form.opened_version
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
        else:
            messages.success(request, f"Agenda item “{instance.title}” is saved.")
            return redirect(meeting)
    return render(
        request,
        "meetings/agenda_item_form.html",
        {"form": form, "meeting": meeting, "item": instance},
    )


@require_http_methods(["GET", "POST"])
@refusals_shown
def recommendation_at_item(request: AuthenticatedHttpRequest, pk: int, item: int) -> HttpResponse:
    """Record the board's recommendation on the item's opportunity, as agreed at this item."""
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    agenda_item = get_object_or_404(
        meeting.items.select_related("opportunity__board").filter(opportunity__isnull=False),
        pk=item,
    )
    opportunity = agenda_item.opportunity
    assert opportunity is not None  # filtered above
    if not opportunity_permissions.can_manage_opportunity(request.user, opportunity):
        raise PermissionDenied("Only the board's secretariat may record its recommendations.")
    refusal = opportunity.recommendation_refusal()
    if refusal:
        raise MeetingRefused(refusal)
    form = RecommendationForm(
        _posted(request),
        opportunity=opportunity,
        agreed_on=timezone.localtime(meeting.starts_at).date(),
        initial=marking_initial(agenda_item.handling),
    )
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = meeting_services.recommendation_record_at_item(
                item=agenda_item,
                actor=request.user,
                marking=form.chosen_marking(),
                **form.data_without_marking(),
            )
        except WorkflowError as error:
            raise MeetingRefused(str(error)) from error
        messages.success(
            request,
            f"Recommendation v{recommendation.version} is recorded, as agreed at this item. "
            "Check it, then send it to the executives.",
        )
        return redirect(opportunity)
    return render(
        request,
        "opportunities/recommendation_form.html",
        {"form": form, "opportunity": opportunity, "agenda_item": agenda_item},
    )


@require_http_methods(["GET", "POST"])
@refusals_shown
def agenda_item_delete(request: AuthenticatedHttpRequest, pk: int, item: int) -> HttpResponse:
    """Asks first (GET), and removes the item only when that question is answered yes."""
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    instance = get_object_or_404(meeting.items, pk=item)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        return render(
            request, "meetings/agenda_item_remove.html", {"meeting": meeting, "item": instance}
        )
    kept = meeting_services.agenda_item_delete(item=instance, actor=request.user)
    undo.keep(request, f"agenda-item-{meeting.pk}", kept)
    undo.offer(
        request,
        message=f"Agenda item “{instance.title}” is removed.",
        url=reverse("agenda_item_restore", kwargs={"pk": meeting.pk}),
        what=f"removing “{instance.title}”",
    )
    return redirect(meeting)


@require_POST
@refusals_shown
def agenda_item_restore(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The Undo of the banner after a removal: puts the item back as it was."""
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    kept = undo.take(request, f"agenda-item-{meeting.pk}")
    if kept is None:
        raise MeetingRefused("There is no removed agenda item to put back.")
    item = meeting_services.agenda_item_restore(meeting=meeting, kept=kept, actor=request.user)
    messages.success(
        request,
        f"Agenda item “{item.title}” is back on the agenda. The chair signs the agenda off again.",
    )
    return redirect(meeting)


@require_POST
def agenda_item_move(request: AuthenticatedHttpRequest, pk: int, item: int) -> HttpResponse:
    """Move an item up or down. Answers JSON to the page's script, a redirect otherwise."""
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    instance = get_object_or_404(meeting.items, pk=item)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return _bad_request(request, "Say whether to move the item up or down.")
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        order = meeting_services.agenda_move(meeting=meeting, item=instance, direction=direction)
    except MeetingRefused as refusal:
        if wants_json:
            return JsonResponse({"error": str(refusal)}, status=409)
        messages.error(request, str(refusal))
        return redirect(meeting)
    if wants_json:
        return JsonResponse(
            {
                "order": order,
                "message": "The agenda order is saved. The "
                "chair's sign-off is withdrawn until they sign it off again.",
            }
        )
    return redirect(meeting)


@require_POST
@refusals_shown
def agenda_sign_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_chair_meeting, CHAIR_ONLY)
    meeting_services.agenda_sign_off(meeting=meeting, actor=request.user)
    messages.success(request, "You have signed the agenda off; the papers may now go out.")
    return redirect(meeting)


# --- Papers and the agenda pack ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@refusals_shown
def paper_upload(
    request: AuthenticatedHttpRequest, pk: int, paper: int | None = None
) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    if not meeting.takes_papers:
        raise MeetingRefused("Papers can no longer be added to this meeting.")
    existing = get_object_or_404(meeting.papers, pk=paper) if paper else None
    form = PaperUploadForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        meeting=meeting,
        with_title=existing is None,
        initial=marking_initial(existing.handling if existing else request.user.default_handling),
    )
    if request.method == "POST" and form.is_valid():
        version = meeting_services.paper_upload(
            meeting=meeting,
            actor=request.user,
            upload=form.cleaned_data["file"],
            kind=form.kind,
            title=form.cleaned_data.get("title", ""),
            agenda_item=form.cleaned_data.get("agenda_item"),
            paper=existing,
            marking=form.chosen_marking(),
        )
        messages.success(
            request, f"“{version.paper.title}” is uploaded (version {version.number})."
        )
        return redirect(meeting)
    return render(
        request,
        "meetings/paper_form.html",
        {
            "form": form,
            "meeting": meeting,
            "paper": existing,
            "max_upload": settings.MAX_UPLOAD_SIZE,
        },
    )


def _attachment(file_field, filename: str, content_type: str) -> FileResponse:
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing from the store; ask the secretariat.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


def _paper_for(request: AuthenticatedHttpRequest, pk: int, paper: int) -> Paper:
    meeting = _meeting_for(request, pk)
    found = get_object_or_404(
        Paper.objects.select_related("agenda_item", "current_version"), pk=paper, meeting=meeting
    )
    found.meeting = meeting
    if not permissions.can_view_paper(request.user, found):
        raise Http404("No paper here that you may read.")
    return found


@require_GET
def paper_download(
    request: AuthenticatedHttpRequest, pk: int, paper: int, version: int | None = None
):
    found = _paper_for(request, pk, paper)
    if version is None:
        chosen = found.current_version
        if chosen is None:
            raise Http404("This paper has no file yet.")
    else:
        chosen = get_object_or_404(PaperVersion, paper=found, number=version)
    response = _attachment(chosen.file, chosen.original_name, chosen.content_type)
    download_record(
        request=request,
        subject=found,
        what="paper",
        name=f"paper “{found.title}” version {chosen.number} ({found.meeting.title})",
    )
    return response


@require_GET
def paper_pdf(request: AuthenticatedHttpRequest, pk: int, paper: int, version: int):
    """An Office paper version's converted PDF (for the viewer, and to download)."""
    found = _paper_for(request, pk, paper)
    chosen = get_object_or_404(PaperVersion, paper=found, number=version)
    if chosen.kind == "pdf":
        return redirect("paper_version_download", pk=pk, paper=paper, version=version)
    if chosen.readable_pdf is None:
        raise Http404("This paper has not been converted to PDF yet; download the original.")
    stem = chosen.original_name.rsplit(".", 1)[0]
    response = _attachment(chosen.pdf_file, f"{stem}.pdf", "application/pdf")
    download_record(
        request=request,
        subject=found,
        what="paper",
        name=f"paper “{found.title}” version {chosen.number} as PDF ({found.meeting.title})",
    )
    return response


@require_GET
def paper_versions(request: AuthenticatedHttpRequest, pk: int, paper: int) -> HttpResponse:
    found = _paper_for(request, pk, paper)
    return render(
        request,
        "meetings/paper_versions.html",
        {
            "meeting": found.meeting,
            "paper": found,
            "versions": found.versions.select_related("uploaded_by"),
        },
    )


def _pack_ready(meeting: Meeting) -> None:
    """A pack is never served while it is being rebuilt: it would show what has changed."""
    if meeting.pack_state == Meeting.FileState.BUILDING:
        raise Http404(
            "The agenda pack is being rebuilt with the latest changes; try again in a minute."
        )
    if meeting.pack_state != Meeting.FileState.READY or not meeting.pack_file:
        raise Http404("The agenda pack is not ready yet; try again in a minute.")


@require_GET
def pack_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    meeting = _meeting_for(request, pk)
    if not permissions.can_view_papers(request.user, meeting):
        raise Http404("The papers of this meeting are not published yet.")
    _pack_ready(meeting)
    name = f"Agenda pack {timezone.localtime(meeting.starts_at):%Y-%m-%d}.pdf"
    response = _attachment(meeting.pack_file, name, "application/pdf")
    download_record(
        request=request, subject=meeting, what="pack", name=f"the agenda pack of {meeting.title}"
    )
    return response


@require_POST
@refusals_shown
def meeting_pdfs_rebuild(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Build again the PDFs of the meeting that could not be built (secretariat)."""
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    again = meeting_services.meeting_pdfs_rebuild(meeting=meeting)
    messages.success(request, f"Building {' and '.join(again)} again.")
    return redirect(meeting)


@require_GET
def pack_part2_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """Part 2 (exempt business): only for those who see all of the meeting's exempt business."""
    meeting = _meeting_for(request, pk)
    if not permissions.can_view_papers(request.user, meeting):
        raise Http404("The papers of this meeting are not published yet.")
    if not permissions.may_see_confidential(request.user, meeting):
        raise Http404("No Part 2 pack here that you may read.")
    _pack_ready(meeting)
    if not meeting.part2_pack_file:
        raise Http404("This meeting has no exempt business, so there is no Part 2 pack.")
    name = f"Agenda pack Part 2 {timezone.localtime(meeting.starts_at):%Y-%m-%d}.pdf"
    return _attachment(meeting.part2_pack_file, name, "application/pdf")


@require_GET
@never_cache
def pack_state(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    meeting = _meeting_for(request, pk)
    if not permissions.can_view_papers(request.user, meeting):
        raise Http404("The papers of this meeting are not published yet.")
    return JsonResponse({"state": meeting.pack_state})


@require_GET
def minutes_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    meeting = _meeting_for(request, pk)
    if meeting.minutes_pdf_state != Meeting.FileState.READY or not meeting.minutes_pdf:
        raise Http404("The approved minutes' PDF is not ready yet.")
    name = f"Minutes {timezone.localtime(meeting.starts_at):%Y-%m-%d}.pdf"
    response = _attachment(meeting.minutes_pdf, name, "application/pdf")
    download_record(
        request=request, subject=meeting, what="minutes", name=f"the minutes of {meeting.title}"
    )
    return response


@require_GET
def minutes_part2_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """Part 2 minutes (exempt business): only for those who see the meeting's exempt business."""
    meeting = _meeting_for(request, pk)
    if not permissions.may_see_confidential(request.user, meeting):
        raise Http404("No Part 2 minutes here that you may read.")
    if meeting.minutes_pdf_state != Meeting.FileState.READY or not meeting.minutes_part2_pdf:
        raise Http404("There are no Part 2 minutes for this meeting, or they are not ready yet.")
    name = f"Minutes Part 2 {timezone.localtime(meeting.starts_at):%Y-%m-%d}.pdf"
    return _attachment(meeting.minutes_part2_pdf, name, "application/pdf")


# --- At and after the meeting ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@refusals_shown
def attendance_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    if not meeting.records_attendance:
        raise MeetingRefused(
            "Attendance is recorded from the day of the meeting until the minutes are approved."
        )
    invitations = list(meeting.invitations.select_related("person", "organisation"))
    selectors.label_roles(meeting, invitations)
    form = AttendanceForm(_posted(request), invitations=invitations)
    if request.method == "POST" and form.is_valid():
        meeting_services.attendance_record(
            meeting=meeting, attendance=form.attendance(), actor=request.user
        )
        messages.success(request, "Attendance is recorded.")
        return redirect(meeting)
    return render(request, "meetings/attendance_form.html", {"form": form, "meeting": meeting})


@require_http_methods(["GET", "POST"])
@refusals_shown
def declaration_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(
        request,
        pk,
        permissions.can_declare_interest,
        "You cannot declare an interest for this meeting.",
    )
    for_anyone = permissions.can_manage_meeting(request.user, meeting)
    form = DeclarationForm(
        _posted(request),
        meeting=meeting,
        for_anyone=for_anyone,
        confidential_ok=permissions.may_see_confidential(request.user, meeting),
        admitted=permissions.admitted_items(request.user, meeting),
        declarer=request.user,
    )
    if request.method == "POST" and form.is_valid():
        meeting_services.declaration_add(
            meeting=meeting,
            person=form.cleaned_data["person"] if for_anyone else request.user,
            agenda_item=form.cleaned_data["agenda_item"],
            nature=form.cleaned_data["nature"],
            disqualifying=form.cleaned_data["disqualifying"],
            register_entry=form.cleaned_data["register_entry"],
            recorded_by=request.user,
        )
        messages.success(request, "The declaration of interest is recorded.")
        return redirect(meeting)
    return render(request, "meetings/declaration_form.html", {"form": form, "meeting": meeting})


@require_http_methods(["GET", "POST"])
def minutes_edit(request: AuthenticatedHttpRequest, pk: int, item: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    instance = get_object_or_404(meeting.items, pk=item)
    if meeting.minutes_are_locked:
        raise PermissionDenied(meeting_services.minutes_locked_message(meeting))
    form = MinutesForm(
        _posted(request), initial={"minutes": instance.minutes}, version=instance.edit_version
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.minutes_save(
                item=instance,
                text=form.cleaned_data["minutes"],
                actor=request.user,
                seen_version=form.opened_version,
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
            return render(
                request,
                "meetings/minutes_form.html",
                {"form": form, "meeting": meeting, "item": instance},
            )
        except MeetingRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, f"The minutes of “{instance.title}” are saved.")
        return redirect(meeting)
    return render(
        request, "meetings/minutes_form.html", {"form": form, "meeting": meeting, "item": instance}
    )


@require_http_methods(["GET", "POST"])
@refusals_shown
def resolution_add(request: AuthenticatedHttpRequest, pk: int, item: int) -> HttpResponse:
    """The clerk records what the chair put at an item and how the board resolved it."""
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    agenda_item = get_object_or_404(meeting.items.select_related("opportunity__board"), pk=item)
    agenda_item.meeting = meeting
    if not meeting.minutes_are_editable:
        raise MeetingRefused(
            "Resolutions are recorded once the meeting is held, until the minutes are approved."
        )
    voters = selectors.item_voters(agenda_item)
    form = ResolutionForm(_posted(request), item=agenda_item, voters=voters)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            resolution = meeting_services.resolution_record(
                item=agenda_item,
                actor=request.user,
                put_by=data["put_by"],
                wording=data["wording"],
                kind=data["kind"],
                method=data["method"],
                votes=form.votes(),
                totals=meeting_services.VoteCount(*form.totals()),
                casting_vote=data.get("casting_vote") or "",
                decision_due_on=data.get("decision_due_on"),
                organisations=data.get("organisations") or (),
            )
        except MeetingRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"The resolution is recorded: {resolution.summary}.")
            return redirect(meeting)
    return render(
        request,
        "meetings/resolution_form.html",
        {"form": form, "meeting": meeting, "item": agenda_item, "voters": voters},
    )


@require_http_methods(["GET", "POST"])
@refusals_shown
def action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, permissions.can_manage_meeting)
    if not meeting.minutes_are_editable:
        raise MeetingRefused(
            "Actions are added once the meeting is held, until the minutes are approved."
        )
    form = ActionForm(_posted(request), meeting=meeting)
    if request.method == "POST" and form.is_valid():
        action = form.save(commit=False)
        action.meeting = meeting
        action.created_by = request.user
        action.save()
        messages.success(request, f"The action for {action.owner.full_name} is recorded.")
        return redirect(meeting)
    return render(request, "meetings/action_form.html", {"form": form, "meeting": meeting})


@require_POST
def action_status(request: AuthenticatedHttpRequest, pk: int, action: int) -> HttpResponse:
    found = get_object_or_404(
        Action.objects.select_related("meeting__board"), pk=action, meeting_id=pk
    )
    if not permissions.can_update_action(request.user, found):
        raise Http404("No action here that is yours.")
    form = ActionStatusForm(request.POST, version=found.edit_version)
    back = "home" if request.POST.get("next") == "home" else found.meeting
    if not form.is_valid():
        if form.has_error("status"):
            return _bad_request(request, "Choose one of the listed statuses.")
        messages.error(request, " ".join(str(error) for error in form.non_field_errors()))
        return redirect(back)
    try:
        meeting_services.action_set_status(
            action=found,
            status=form.cleaned_data["status"],
            actor=request.user,
            seen_version=form.opened_version,
            progress=form.cleaned_data["progress"],
        )
    except EditConflict as conflict:
        messages.error(request, " ".join([conflict.message, *conflict.changes]))
        return redirect(back)
    messages.success(request, f"The action is now “{found.get_status_display()}”.")
    return redirect(back)


# --- The action log and attendance statistics -------------------------------------------------


@require_GET
def action_log(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Every open action of the board, across its meetings, as far as the person may see."""
    board = board_for(request.user, slug)
    page = Paginator(
        selectors.open_actions_visible_to(request.user, board), MEETINGS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/action_log.html",
        {"board": board, "page": page, "actions": page.object_list},
    )


@require_GET
def attendance_statistics(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = board_for(
        request.user,
        slug,
        permissions.can_see_attendance_statistics,
        "Only the board's secretariat, chair or vice-chair may see attendance statistics.",
    )
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        return _bad_request(request, "Give the year as four digits, for example 2026.")
    if not 2000 <= year <= this_year + 1:
        return _bad_request(request, f"Choose a year from 2000 to {this_year + 1}.")
    return render(
        request,
        "meetings/attendance_statistics.html",
        {"board": board, "year": year, **selectors.attendance_statistics(board, year)},
    )


# --- The register of interests ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def interests_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My own register of interests: what I have entered, whether it is reviewed, and a form
    to add an entry."""
    if not permissions.can_keep_register_of_interests(request.user):
        raise PermissionDenied("A register of interests is kept by the boards' members.")
    form = InterestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        meeting_services.interest_register(person=request.user, **form.cleaned_data)
        messages.success(
            request, "The interest is in your register; the secretariat will review it."
        )
        return redirect("interests_mine")
    entries = RegisteredInterest.objects.filter(person=request.user).select_related("reviewed_by")
    return render(request, "meetings/interests_mine.html", {"form": form, "entries": entries})


@require_POST
def interest_end(request: AuthenticatedHttpRequest, entry: int) -> HttpResponse:
    found = get_object_or_404(RegisteredInterest, pk=entry, person=request.user)
    try:
        meeting_services.interest_end(entry=found, on=timezone.localdate())
    except MeetingRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "The interest is recorded as ended today.")
    return redirect("interests_mine")


@require_GET
def interests_review(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The registers of interests of the board's current members, for the secretariat,
    entries awaiting review first."""
    board = board_for(request.user, slug, permissions.can_review_interests)
    members = BoardMembership.objects.current().filter(board=board).values("person_id")
    entries = (
        RegisteredInterest.objects.filter(person_id__in=members)
        .select_related("person__organisation", "reviewed_by")
        .order_by(F("reviewed_at").asc(nulls_first=True), "person__full_name", "-starts_on")
    )
    return render(request, "meetings/interests_review.html", {"board": board, "entries": entries})


@require_POST
def interest_review(request: AuthenticatedHttpRequest, slug: str, entry: int) -> HttpResponse:
    board = board_for(request.user, slug, permissions.can_review_interests)
    found = get_object_or_404(RegisteredInterest.objects.select_related("person"), pk=entry)
    if not permissions.can_review_interest(request.user, found):
        raise Http404("No entry here that you may review.")
    try:
        meeting_services.interest_review(entry=found, actor=request.user)
    except MeetingRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"{found.person.full_name}'s entry is marked reviewed.")
    return redirect("interests_review", slug=board.slug)


# --- Calendars ---------------------------------------------------------------------------------


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
def meeting_ics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk)
    return _ics_response(calendars.meeting_ics(meeting), f"meeting-{meeting.pk}.ics")


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's meetings for their calendar program: the secret token is the only key. The
    feed is kept, as a page is, until anything in the portal changes (a minute at most)."""
    kept = kept_while_unchanged("calendar-feed", (token,), lambda: _feed_of(token))
    if kept is None:
        raise Http404("No calendar at this address. It may have been reset.")
    version, content = kept
    etag = f'"{version}"'
    asked = request.headers.get("If-None-Match") or ""
    if etag in (tag.strip().removeprefix("W/") for tag in asked.split(",")):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = _ics_response(content, "board-meetings.ics")
        response["Content-Disposition"] = 'inline; filename="board-meetings.ics"'
    # A calendar program may keep the feed and ask whether it changed (the ETag), but no
    # shared cache may keep it: the token in the address is its only key.
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


def _feed_of(token: str) -> tuple[str, bytes] | None:
    """The version (ETag) and text of the feed at ``token``; None when there is none."""
    feed = (
        CalendarFeed.objects.select_related("person")
        .filter(token=token, person__is_active=True)
        .first()
    )
    if feed is None:
        return None
    person = feed.person
    meetings = selectors.feed_meetings(person)
    version = calendars.feed_version(selectors.feed_digest(meetings, calendars.FEED_FIELDS), person)
    content = caching.cached(
        f"ics-feed:{version}",
        calendars.EVENT_CACHE_SECONDS,
        lambda: calendars.feed_ics(list(meetings.values_list(*calendars.FEED_FIELDS)), person),
    )
    return version, content


@require_GET
def calendar_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    feed = meeting_services.calendar_feed_of(person=request.user)
    return render(request, "meetings/calendar.html", {"feed": feed})


@require_POST
def calendar_reset(request: AuthenticatedHttpRequest) -> HttpResponse:
    meeting_services.calendar_feed_reset(person=request.user)
    messages.success(
        request,
        "Your calendar has a new address. The old address no longer works: "
        "replace it in your calendar program.",
    )
    return redirect("calendar_settings")
