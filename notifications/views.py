from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from boards.models import User
from boards.permissions import is_secretariat, member_board

from . import tasks
from .models import Notification

PAGE_SIZE = 25


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own notifications, newest first."""
    mine = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk")
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of my notifications read and go to the page it is about."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=pk).update(read_at=timezone.now())
    safe = url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None)
    return redirect(notification.link if safe and notification.link.startswith("/") else "home")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("notification_list")


@require_GET
def message_log(request: HttpRequest, slug: str) -> HttpResponse:
    """The board's messages — to whom, what, when sent, status — for its secretariat."""
    board = _secretariat_board(request, slug)
    messages_ = (
        Notification.objects.filter(board=board)
        .select_related("recipient")
        .order_by("-created_at", "-pk")
    )
    text = request.GET.get("q", "").strip()[:100]
    if text:
        # People are matched first (a small table), so the messages need no join to search.
        people = User.objects.filter(
            Q(full_name__icontains=text) | Q(email__icontains=text)
        ).values_list("pk", flat=True)
        messages_ = messages_.filter(Q(subject__icontains=text) | Q(recipient_id__in=list(people)))
    status = request.GET.get("status", "")
    if status in Notification.Status.values:
        messages_ = messages_.filter(status=status)
    page = Paginator(messages_, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notifications/message_log.html",
        {
            "board": board,
            "page": page,
            "query": query.urlencode(),
            "text": text,
            "status": status,
            "statuses": Notification.Status.choices,
        },
    )


@require_POST
def message_retry(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Send a failed message again."""
    board = _secretariat_board(request, slug)
    retried = Notification.objects.filter(
        pk=pk, board=board, status=Notification.Status.FAILED
    ).update(status=Notification.Status.PENDING, attempts=0)
    if retried:
        transaction.on_commit(lambda: tasks.deliver_notification.delay(pk))
        messages.success(request, "The message is queued to be sent again.")
    else:
        messages.error(request, "Only a failed message can be sent again; this one is not.")
    return redirect("message_log", slug=board.slug)


def _secretariat_board(request: HttpRequest, slug: str):
    board = member_board(request.user, slug)
    if board is None:
        raise Http404("No board here that you are a member of.")
    if not is_secretariat(request.user, board):
        raise PermissionDenied("Only the board's secretariat may see its messages.")
    return board
