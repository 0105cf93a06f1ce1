from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boards.http import AuthenticatedHttpRequest
from boards.models import User
from boards.permissions import board_for, is_secretariat
from core.arrays import among_ids
from core.page_cache import cached_page
from core.pagination import CountedAheadPaginator

from . import services
from .digest import UnsubscribeLinkInvalid, person_for_unsubscribe_token
from .forms import NotificationPreferencesForm, WebhookForm
from .models import Delivery, Notification, WebhookDelivery
from .permissions import WEBHOOK_OF_EVERY_BOARD, can_manage_webhook

PAGE_SIZE = 25
WEBHOOK_DELIVERIES_SHOWN = 25
# What a line of the message log shows.
MESSAGE_LOG_FIELDS = (
    "created_at",
    "subject",
    "status",
    "delivery",
    "sent_at",
    "last_error",
    "recipient__full_name",
    "recipient__email",
)


@require_GET
@cached_page
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person's own notifications, newest first."""
    mine = (
        Notification.objects.filter(recipient=request.user)
        .exclude(kind__in=Notification.Message.values)
        .only("kind", "subject", "created_at", "status", "sent_at", "read_at")
        .order_by("-created_at", "-pk")
    )
    # A person may have tens of thousands of notices: they are counted only a few pages ahead.
    page = CountedAheadPaginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@require_POST
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one of my notifications read and go to the page it is about."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notifications_mark_read(person=request.user, ids=[notification.pk])
    safe = url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None)
    return redirect(notification.link if safe and notification.link.startswith("/") else "home")


@require_POST
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.notifications_mark_read(person=request.user)
    return redirect("notification_list")


@require_GET
@cached_page
def message_log(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The board's messages — to whom, what, when sent, status — for its secretariat."""
    board = _secretariat_board(request, slug)
    messages_ = (
        Notification.objects.filter(board=board)
        .select_related("recipient")
        .only(*MESSAGE_LOG_FIELDS)
        .order_by("-created_at", "-pk")
    )
    text = request.GET.get("q", "").strip()[:100]
    if text:
        # People are matched first (a small table), so the messages need no join to search.
        people = User.objects.filter(
            Q(full_name__icontains=text) | Q(email__icontains=text)
        ).values_list("pk", flat=True)
        messages_ = messages_.filter(Q(subject__icontains=text) | among_ids("recipient_id", people))
    status = request.GET.get("status", "")
    if status in Notification.Status.values:
        messages_ = messages_.filter(status=status)
    # A board's log runs to hundreds of thousands of messages: it is counted only a few pages
    # ahead of the page shown, never to its end.
    page = CountedAheadPaginator(messages_, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    webhook_deliveries = (
        WebhookDelivery.objects.filter(board=board)
        .select_related("webhook__organisation")
        .only(
            "created_at",
            "summary",
            "status",
            "attempts",
            "sent_at",
            "last_error",
            "webhook__organisation__name",
        )
        .order_by("-created_at", "-pk")[:WEBHOOK_DELIVERIES_SHOWN]
    )
    return render(
        request,
        "notifications/message_log.html",
        {
            "board": board,
            "webhook_deliveries": webhook_deliveries,
            "page": page,
            "query": query.urlencode(),
            "text": text,
            "status": status,
            "statuses": Notification.Status.choices,
        },
    )


@require_POST
def message_retry(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Send a failed message again (on its own, even if it failed as part of a digest)."""
    board = _secretariat_board(request, slug)
    if services.notification_retry(board=board, pk=pk):
        messages.success(request, "The message is queued to be sent again.")
    else:
        messages.error(request, "Only a failed message can be sent again; this one is not.")
    return redirect("message_log", slug=board.slug)


@require_POST
def webhook_delivery_retry(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    board = _secretariat_board(request, slug)
    if services.webhook_delivery_retry(board=board, pk=pk):
        messages.success(request, "The webhook delivery is queued to be sent again.")
    else:
        messages.error(request, "Only a failed delivery can be sent again; this one is not.")
    return redirect("message_log", slug=board.slug)


@require_http_methods(["GET", "POST"])
def webhooks(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Each body's webhook: the secretariat sets its address and is shown its new secret once."""
    board = _secretariat_board(request, slug)
    form = WebhookForm(request.POST or None, board=board, person=request.user)
    made = None
    if request.method == "POST" and form.is_valid():
        webhook, secret = services.webhook_set(
            organisation=form.cleaned_data["organisation"],
            url=form.cleaned_data["url"],
            actor=request.user,
        )
        made = {"webhook": webhook, "secret": secret}
        form = WebhookForm(board=board, person=request.user)
    bodies = list(
        board.organisations.order_by("name").select_related("webhook").prefetch_related("boards")
    )
    for body in bodies:
        # Another board's secretariat may not see, nor switch off, where the body is told.
        body.webhook_managed = can_manage_webhook(request.user, body)
    response = render(
        request,
        "notifications/webhooks.html",
        {"board": board, "form": form, "made": made, "bodies": bodies},
    )
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
def webhook_off(request: AuthenticatedHttpRequest, slug: str, organisation: int) -> HttpResponse:
    board = _secretariat_board(request, slug)
    body = board.organisations.filter(pk=organisation).first()
    if body is None:
        raise Http404("This board has no such body.")
    if not can_manage_webhook(request.user, body):
        raise PermissionDenied(WEBHOOK_OF_EVERY_BOARD.format(body=body.name))
    if services.webhook_switch_off(organisation=body, actor=request.user):
        messages.success(request, f"The webhook of {body.name} is switched off.")
    else:
        messages.info(request, f"{body.name} had no webhook switched on.")
    return redirect("webhooks", slug=board.slug)


def _secretariat_board(request: AuthenticatedHttpRequest, slug: str):
    return board_for(
        request.user, slug, is_secretariat, "Only the board's secretariat may see its messages."
    )


@require_http_methods(["GET", "POST"])
def notification_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person's own choice, per kind of notice, of how to hear of it."""
    form = NotificationPreferencesForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_preferences_set(person=request.user, deliveries=form.cleaned_data)
        except services.PreferenceNotAllowed as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Your notification settings are saved.")
            return redirect("notification_preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "digest_hour": settings.NOTIFICATION_DIGEST_HOUR},
    )


# A mail program's one-click unsubscribe (RFC 8058) POSTs to the List-Unsubscribe address from
# the mail provider's servers, with no session and no CSRF token, so this view is exempt from
# the CSRF check. That is safe because it serves only signed-token addresses: the token, which
# only the person's own email holds, is the proof of authority a CSRF token would otherwise
# give, and all a POST can do is stop that person's digest.
@login_not_required
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop the daily digest from the link in a digest, without signing in: GET asks to
    confirm, POST (the page's button or a mail program's one-click) does it."""
    try:
        person = person_for_unsubscribe_token(token)
    except UnsubscribeLinkInvalid as problem:
        return render(
            request, "notifications/unsubscribe_invalid.html", {"problem": problem}, status=400
        )
    context = {"person": person, "token": token}
    if request.method == "POST":
        changed = services.digest_unsubscribe(person=person)
        context["portal_only"] = _labels(changed, Delivery.PORTAL)
        context["immediate"] = _labels(changed, Delivery.IMMEDIATE)
        context["done"] = True
    return render(request, "notifications/digest_unsubscribe.html", context)


def _labels(changed: dict[str, str], delivery: str) -> list[str]:
    return [Notification.Kind(k).label for k, d in changed.items() if d == delivery]
