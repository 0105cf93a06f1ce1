"""The decision record of one referral, for everyone who may read the recommendation's
decisions; and the secretariat's and the executives' steps on it: questions and answers, a
decision recorded on a body's behalf, and its dispute."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boards import two_factor
from boards.http import AuthenticatedHttpRequest
from boards.selectors import executives_of
from core import check_answers
from core.exceptions import Refused
from core.markings import marking_initial

from . import permissions, referral_services, selectors, services
from .forms import AnswerForm, DecisionForm, OnBehalfForm, QuestionForm, ReasonForm
from .models import Referral


def _readable_referral(request: AuthenticatedHttpRequest, pk: int) -> Referral:
    referral = get_object_or_404(
        Referral.objects.select_related(
            "organisation",
            "recommendation__opportunity__board",
            "recommendation__opportunity__lead_organisation",
            "decided_by",
            "recorded_by",
        ),
        pk=pk,
        sent_at__isnull=False,
    )
    if not permissions.can_view_decision_record(request.user, referral):
        raise Http404("There is no referral here that you may read.")
    return referral


def record_context(request: AuthenticatedHttpRequest, referral: Referral) -> dict[str, object]:
    """What the decision record shows and which of its forms the person may use; shared with
    the executive's referral page."""
    person = request.user
    return {
        "history": selectors.referral_history(
            referral,
            permissions.decision_documents_q(person),
            notes_shown=permissions.reads_decision_notes(person, referral),
        ),
        "question_form": QuestionForm()
        if permissions.can_ask_on_referral(person, referral)
        and referral.status in Referral.DECIDABLE
        else None,
        "answer_form": AnswerForm(initial=marking_initial(person.default_handling))
        if permissions.can_answer_on_referral(person, referral)
        and referral_services.awaits_answer(referral)
        else None,
        "dispute_form": ReasonForm()
        if permissions.can_dispute_decision(person, referral)
        else None,
        "may_record_on_behalf": permissions.can_record_on_behalf(person, referral)
        and referral.is_decidable,
    }


@require_GET
def referral_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = _readable_referral(request, pk)
    selectors.withhold_decision_notes([referral], request.user)
    opportunity = referral.recommendation.opportunity
    return render(
        request,
        "opportunities/referral_record.html",
        {
            "referral": referral,
            "recommendation": referral.recommendation,
            "opportunity": opportunity,
            "refusal": referral.refusal(),
            **record_context(request, referral),
        },
    )


@require_POST
def referral_ask(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = _readable_referral(request, pk)
    if not permissions.can_ask_on_referral(request.user, referral):
        raise Http404("There is no referral here that you may ask about.")
    form = QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the question before sending it.")
        return redirect(_back(request, referral))
    try:
        referral_services.referral_ask(
            referral=referral, actor=request.user, question=form.cleaned_data["question"]
        )
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your question has been sent to the board's secretariat.")
    return redirect(_back(request, referral))


@require_POST
def referral_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = _readable_referral(request, pk)
    if not permissions.can_answer_on_referral(request.user, referral):
        raise Http404("Only the board's secretariat may answer on a referral.")
    form = AnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect(referral.get_record_url())
    try:
        referral_services.referral_answer(
            referral=referral,
            actor=request.user,
            answer=form.cleaned_data["answer"],
            documents=form.documents(),
            marking=form.chosen_marking(),
        )
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Your answer has been sent to {referral.organisation.executive_body}."
        )
    return redirect(referral.get_record_url())


@require_http_methods(["GET", "POST"])
def referral_on_behalf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = _readable_referral(request, pk)
    if not permissions.can_record_on_behalf(request.user, referral):
        raise Http404("Only the board's secretariat may record a decision for a body.")
    if not two_factor.is_fresh(request):
        # From the check page, back to it afterwards: the answers are kept meanwhile.
        confirming = check_answers.is_confirmation(request)
        back = check_answers.check_url(request) if confirming else request.path
        return two_factor.step_up_redirect(request, back)
    refusal = referral.refusal()
    if refusal:
        messages.error(request, refusal)
        return redirect(referral.get_record_url())
    pending = check_answers.PendingAnswers(request, f"on-behalf-{referral.pk}")
    form = decision_form(
        request, referral, pending, OnBehalfForm, executives=executives_of(referral.organisation)
    )
    if form is None:
        messages.error(request, check_answers.NOT_KEPT)
        return redirect("referral_on_behalf", pk=referral.pk)
    if request.method == "POST" and form.is_valid():
        if not check_answers.is_confirmation(request):
            pending.keep()
            return redirect(check_answers.check_url(request))
        assert isinstance(form, OnBehalfForm)
        try:
            referral_services.referral_record_on_behalf(
                referral=referral,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                reference=form.cleaned_data["reference"],
                notes=form.cleaned_data["notes"],
                seen_revision=form.cleaned_data["revision"],
                decided_by=form.cleaned_data["decided_by"],
                notice=services.DecisionNoticeFields(**form.notice_fields()),
                documents=form.documents(),
                marking=form.chosen_marking(),
            )
        except Refused as error:
            pending.discard()
            messages.error(request, str(error))
            return redirect(referral.get_record_url())
        pending.discard()
        messages.success(
            request,
            f"The decision of {referral.organisation.executive_body} is recorded on its behalf; "
            "its executives have been told.",
        )
        return redirect(referral.get_record_url())
    if checking(request, form):
        return decision_check_page(request, referral, form, pending, on_behalf=True)
    return render(
        request,
        "opportunities/referral_on_behalf.html",
        {
            "referral": referral,
            "opportunity": referral.recommendation.opportunity,
            "form": form,
            "kept_documents": pending.file_names() if form.is_bound else {},
        },
    )


@require_POST
def referral_dispute(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = _readable_referral(request, pk)
    form = ReasonForm(request.POST)
    if not permissions.can_decide_referral(request.user, referral):
        raise Http404("Only an executive of the body may dispute its decision.")
    if not form.is_valid():
        messages.error(request, "Say why the decision recorded is not your body's.")
        return redirect(referral.get_record_url())
    try:
        referral_services.referral_dispute(
            referral=referral, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "The decision is disputed and the referral awaits your body's decision again; the "
            "secretariat has been told.",
        )
    return redirect(referral.get_record_url())


def _back(request: AuthenticatedHttpRequest, referral: Referral) -> str:
    """An executive asks from their referral page, the secretariat from the record."""
    if permissions.can_decide_referral(request.user, referral):
        return referral.get_absolute_url()
    return referral.get_record_url()


# --- checking a decision before it is recorded (core/check_answers.py) --------------------------

# What is shown back before a decision is recorded, in the order of the form.
DECISION_CHECKED = (
    "decided_by",
    "outcome",
    "reference",
    "notes",
    "decision_maker",
    "decision_forum",
    "decision_taken_on",
    "reasons",
    "conditions",
    "document",
    "marking",
    "marking_descriptors",
)


def decision_form(
    request: AuthenticatedHttpRequest,
    referral: Referral,
    pending: check_answers.PendingAnswers,
    form_class: type[DecisionForm],
    **options: Any,
) -> DecisionForm | None:
    """The form as posted; on the check page, its confirmation and its "Change" links, as kept;
    else empty. None when the kept answers are gone (a new session): fill it in again."""
    initial = {
        "revision": referral.revision,
        **marking_initial(referral.organisation.default_handling),
    }
    if request.method == "POST" and not check_answers.is_confirmation(request):
        return form_class(request.POST, request.FILES, initial=initial, **options)
    if check_answers.is_confirmation(request) or _asks_for_kept(request):
        data = pending.data()
        if data is None:
            return None
        return form_class(data, pending.files(), initial=initial, **options)
    pending.discard()  # the form opened afresh starts empty, whatever an earlier go left
    return form_class(initial=initial, **options)


def _asks_for_kept(request: AuthenticatedHttpRequest) -> bool:
    return request.method == "GET" and (
        check_answers.CHECK_PARAMETER in request.GET
        or check_answers.CHANGE_PARAMETER in request.GET
    )


def checking(request: AuthenticatedHttpRequest, form: DecisionForm) -> bool:
    """The check page is asked for, and the kept answers are still valid."""
    return (
        request.method == "GET" and check_answers.CHECK_PARAMETER in request.GET and form.is_valid()
    )


def decision_check_page(
    request: AuthenticatedHttpRequest,
    referral: Referral,
    form: DecisionForm,
    pending: check_answers.PendingAnswers,
    *,
    on_behalf: bool = False,
) -> HttpResponse:
    opportunity = referral.recommendation.opportunity
    body = referral.organisation.executive_body
    names = [name for name in DECISION_CHECKED if name in form.fields]
    short_name = referral.organisation.short_name
    what = f"Decision for {short_name} on" if on_behalf else "Decision on"
    return check_answers.render_check_page(
        request,
        title=f"Check your answers \u2013 {what} {opportunity.reference}",
        heading=f"Check the decision of {body} before it is recorded"
        + (" on its behalf" if on_behalf else ""),
        rows=check_answers.rows_from_form(request, form, names, pending.file_names()),
        confirm_label="Record the decision on its behalf" if on_behalf else "Record the decision",
        back_url=referral.get_record_url() if on_behalf else referral.get_absolute_url(),
        back_label="Leave without recording it",
        warning=f"Once recorded, this is the decision of {body} on {opportunity.reference}: "
        "the board and the other bodies are told, and it can only be disputed, not changed.",
        context={"check_back_crumb": opportunity.reference},
    )
