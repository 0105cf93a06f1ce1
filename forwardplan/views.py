"""The forward plan's pages: the board's plan and each body's view, its downloads and feed, the
published versions, and the secretariat's pages for forums, their dates and the plan."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import security_record
from boards.http import AuthenticatedHttpRequest
from boards.models import Board
from core.concurrency import EditConflict, version_token
from core.exceptions import Refused
from opportunities.models import Referral

from . import calendars, exports, permissions, readings, selectors, services
from .forms import CalendarUploadForm, ForumForm, ForumMeetingForm, PlanEntryForm
from .models import DecisionForum, ForumMeeting, PlanEntry, PlanFeed, PublishedPlan

READING_ASKED = (
    "The calendar will be read shortly. Reload this page in a minute to see what was found."
)
READING_WAITS = (
    "The calendar is already waiting to be read. Reload this page in a minute to see what was "
    "found."
)

# --- reading the plan --------------------------------------------------------------------------


def _plan_context(board: Board, organisation: Any = None, bodies: Any = None) -> dict[str, Any]:
    today = timezone.localdate()
    first, last = selectors.plan_window(today)
    entries = selectors.plan_entries(board, first, last, organisation, bodies)
    months = selectors.grouped_by_month_and_body(entries, today)
    return {
        "board": board,
        "months": months,
        "warning_count": sum(
            len(entry.warning_list)
            for month in months
            for body in month.bodies
            for entry in body.entries
        ),
        "unplanned": list(selectors.unplanned_referrals(board, organisation, bodies)),
        "first": first,
        "last": last,
        "latest_published": board.published_plans.first(),
    }


@require_GET
def forward_plan(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = permissions.plan_board(request.user, slug)
    context = _plan_context(board, bodies=selectors.bodies_shown_to(request.user, board))
    context["bodies"] = board.organisations.order_by("name")
    context["feed"] = services.plan_feed_of(person=request.user)
    return render(request, "forwardplan/plan.html", context)


@require_GET
def forward_plan_body(
    request: AuthenticatedHttpRequest, slug: str, organisation: int
) -> HttpResponse:
    board = permissions.plan_board(request.user, slug)
    body = permissions.body_of_board(request.user, board, organisation)
    context = _plan_context(board, body)
    context["organisation"] = body
    context["forums"] = list(
        selectors.forums_of([body]).prefetch_related("meetings").order_by("name")
    )
    return render(request, "forwardplan/body_plan.html", context)


def _download(build: Any, kind: str) -> Any:
    @require_GET
    def view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
        board = permissions.plan_board(request.user, slug)
        table = exports.plan_table(board, selectors.bodies_shown_to(request.user, board))
        response: HttpResponse = build(table, exports.plan_filename(board))
        security_record(
            request=request,
            verb="download.forward_plan",
            summary=f"Downloaded the forward plan of {board.name} as {kind}",
            subject=board,
        )
        return response

    return view


forward_plan_csv = _download(exports.csv_response, "CSV")
forward_plan_xlsx = _download(exports.xlsx_response, "Excel")


@login_not_required
@require_GET
def plan_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The forward plan for a person's calendar program: the secret token is the only key; it
    shows what the person may see today."""
    feed = (
        PlanFeed.objects.select_related("person")
        .filter(token=token, person__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404("No forward plan calendar at this address. It may have been reset.")
    entries = selectors.feed_entries(feed.person, timezone.localdate())
    response = HttpResponse(
        calendars.plan_ics(entries, "Forward plan"), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="forward-plan.ics"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
def plan_feed_reset(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = permissions.plan_board(request.user, slug)
    services.plan_feed_reset(person=request.user)
    messages.success(
        request,
        "Your forward plan calendar has a new address. The old one no longer works: replace it "
        "in your calendar program.",
    )
    return redirect("forward_plan", slug=board.slug)


# --- published versions ------------------------------------------------------------------------


@require_POST
def forward_plan_publish(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = permissions.plan_board(request.user, slug, manage=True)
    published = services.plan_publish(board=board, actor=request.user)
    messages.success(
        request,
        f"The forward plan is published: {published}, with {len(published.entries)} decisions.",
    )
    return redirect(published)


@require_GET
def published_plans(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = permissions.plan_board(request.user, slug)
    bodies = selectors.bodies_shown_to(request.user, board)
    # Each version with how many of its decisions the person reads (an executive: only their
    # own bodies', as on the version's page).
    versions = [
        (version, len(selectors.published_entries_shown(version.entries, bodies)))
        for version in board.published_plans.select_related("published_by").order_by(
            "-published_at"
        )
    ]
    return render(
        request, "forwardplan/published_list.html", {"board": board, "versions": versions}
    )


@require_GET
def published_plan(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    board = permissions.plan_board(request.user, slug)
    version = (
        PublishedPlan.objects.filter(board=board, pk=pk).select_related("published_by").first()
    )
    if version is None:
        raise Http404("No published forward plan of this board at this address.")
    return render(
        request,
        "forwardplan/published_detail.html",
        {
            "board": board,
            "version": version,
            "rows": selectors.published_rows(
                version.entries, selectors.bodies_shown_to(request.user, board)
            ),
        },
    )


# --- planning a referral -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_entry_edit(request: AuthenticatedHttpRequest, slug: str, referral: int) -> HttpResponse:
    board = permissions.plan_board(request.user, slug, manage=True)
    found = (
        Referral.objects.filter(
            pk=referral,
            recommendation__opportunity__board=board,
            recommendation__superseded_at__isnull=True,
        )
        .select_related("organisation", "recommendation__opportunity")
        .first()
    )
    if found is None:
        raise Http404("No referral of this board's current recommendations at this address.")
    entry = PlanEntry.objects.filter(referral=found).select_related("forum_meeting").first()
    today = timezone.localdate()
    meetings = selectors.upcoming_meetings(found.organisation, today)
    initial = {}
    if entry is not None:
        initial = {
            "forum_meeting": entry.forum_meeting,
            "key_decision": entry.key_decision,
            "private": entry.private,
            "exempt_paragraph": entry.exempt_paragraph,
        }
    form = PlanEntryForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        meetings=meetings,
        version=version_token(entry.updated_at if entry else None),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_entry_save(
                referral=found, actor=request.user, seen=form.opened_version, **form.edited_data()
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                f"{found.recommendation.opportunity.reference} is planned for "
                f"{found.organisation.short_name}.",
            )
            return redirect("forward_plan", slug=board.slug)
    return render(
        request,
        "forwardplan/plan_entry_form.html",
        {"board": board, "referral": found, "entry": entry, "form": form, "meetings": meetings},
    )


# --- forums and their dates --------------------------------------------------------------------


@require_GET
def forum_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    board = permissions.plan_board(request.user, slug)
    organisations = list(board.organisations.order_by("name"))
    forums = selectors.forums_of(organisations).order_by("organisation__name", "name")
    return render(
        request,
        "forwardplan/forum_list.html",
        {
            "board": board,
            "forums": forums,
            "changes": selectors.recent_changes(organisations),
        },
    )


@require_http_methods(["GET", "POST"])
def forum_edit(request: AuthenticatedHttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    board = permissions.plan_board(request.user, slug, manage=True)
    forum = permissions.forum_of_board(board, pk) if pk else DecisionForum()
    form = ForumForm(
        request.POST if request.method == "POST" else None,
        instance=forum,
        organisations=board.organisations.order_by("name"),
        version=version_token(forum.updated_at if forum.pk else None),
    )
    if request.method == "POST" and form.is_valid():
        values = form.edited_data()
        try:
            saved = services.forum_save(
                forum=forum, actor=request.user, values=values, seen=form.opened_version
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
        else:
            messages.success(request, f"{saved.name} of {saved.organisation.short_name} is saved.")
            return redirect("forum_detail", slug=board.slug, pk=saved.pk)
    return render(
        request, "forwardplan/forum_form.html", {"board": board, "form": form, "forum": forum}
    )


@require_GET
def forum_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    board = permissions.plan_board(request.user, slug)
    forum = permissions.forum_of_board(board, pk)
    return render(
        request,
        "forwardplan/forum_detail.html",
        {
            "board": board,
            "forum": forum,
            "meetings": forum.meetings.order_by("date", "time", "pk"),
            "changes": forum.changes.select_related("meeting", "forum__organisation")[:20],
            "reading": forum.readings.select_related("requested_by").first(),
            "upload_form": CalendarUploadForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def forum_meeting_edit(
    request: AuthenticatedHttpRequest, slug: str, pk: int, meeting: int | None = None
) -> HttpResponse:
    board = permissions.plan_board(request.user, slug, manage=True)
    forum = permissions.forum_of_board(board, pk)
    found = None
    if meeting is not None:
        found = ForumMeeting.objects.filter(forum=forum, pk=meeting).first()
        if found is None:
            raise Http404("No meeting of this forum at this address.")
    initial = {}
    if found is not None:
        initial = {
            "date": found.date,
            "time": found.time,
            "location": found.location,
            "cancelled": found.is_cancelled,
        }
    form = ForumMeetingForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        version=version_token(found.updated_at if found else None),
    )
    if request.method == "POST" and form.is_valid():
        data = form.edited_data()
        try:
            if found is None:
                if data["cancelled"]:
                    raise Refused("A new meeting cannot be entered as cancelled.")
                services.forum_meeting_add(
                    forum=forum,
                    actor=request.user,
                    on=data["date"],
                    at=data["time"],
                    location=data["location"],
                )
            else:
                services.forum_meeting_change(
                    meeting=found,
                    actor=request.user,
                    on=data["date"],
                    at=data["time"],
                    location=data["location"],
                    cancelled=data["cancelled"],
                    seen=form.opened_version,
                )
        except EditConflict as conflict:
            form.show_conflict(conflict)
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, f"The meeting of {forum.name} is saved.")
            return redirect("forum_detail", slug=board.slug, pk=forum.pk)
    return render(
        request,
        "forwardplan/forum_meeting_form.html",
        {"board": board, "forum": forum, "meeting": found, "form": form},
    )


@require_POST
def forum_import(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Read the forum's dates from an uploaded .ics file, or (with no file) ask for its address
    to be read shortly, by a task: the request never waits on the body's server."""
    board = permissions.plan_board(request.user, slug, manage=True)
    forum = permissions.forum_of_board(board, pk)
    try:
        if "calendar_file" in request.FILES or request.POST.get("source") == "file":
            form = CalendarUploadForm(request.POST, request.FILES)
            if not form.is_valid():
                return _upload_refused(request, board, forum, form)
            changes = services.forum_calendar_import(
                forum=forum, content=form.cleaned_data["calendar_file"]
            )
            messages.success(
                request, f"The file was read: {services.calendar_changes_summary(changes)}"
            )
        else:
            _, new = readings.calendar_reading_request(forum=forum, actor=request.user)
            messages.success(request, READING_ASKED if new else READING_WAITS)
    except calendars.CalendarUnreadable as refusal:
        messages.error(request, refusal.message)
    return redirect("forum_detail", slug=board.slug, pk=forum.pk)


def _upload_refused(
    request: AuthenticatedHttpRequest, board: Board, forum: DecisionForum, form: CalendarUploadForm
) -> HttpResponse:
    response = render(
        request,
        "forwardplan/forum_detail.html",
        {
            "board": board,
            "forum": forum,
            "meetings": forum.meetings.order_by("date", "time", "pk"),
            "changes": forum.changes.select_related("meeting", "forum__organisation")[:20],
            "reading": forum.readings.select_related("requested_by").first(),
            "upload_form": form,
        },
    )
    response.status_code = 400
    return response
