"""The decision record of one referral, for everyone who may read the recommendation's
decisions; and the secretariat's and the executives' steps on it: questions and answers, a
decision recorded on a body's behalf, and its dispute."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boards import two_factor
from boards.http import AuthenticatedHttpRequest
from boards.selectors import executives_of
from core.exceptions import Refused
from core.markings import marking_initial

from . import permissions, referral_services, selectors, services
from .forms import AnswerForm, OnBehalfForm, QuestionForm, ReasonForm
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
        "history": selectors.referral_history(referral, permissions.decision_documents_q(person)),
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
@two_factor.fresh_second_factor
def referral_on_behalf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = _readable_referral(request, pk)
    if not permissions.can_record_on_behalf(request.user, referral):
        raise Http404("Only the board's secretariat may record a decision for a body.")
    refusal = referral.refusal()
    if refusal:
        messages.error(request, refusal)
        return redirect(referral.get_record_url())
    form = OnBehalfForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "revision": referral.revision,
            **marking_initial(referral.organisation.default_handling),
        },
        executives=executives_of(referral.organisation),
    )
    if request.method == "POST" and form.is_valid():
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
            messages.error(request, str(error))
            return redirect(referral.get_record_url())
        messages.success(
            request,
            f"The decision of {referral.organisation.executive_body} is recorded on its behalf; "
            "its executives have been told.",
        )
        return redirect(referral.get_record_url())
    return render(
        request,
        "opportunities/referral_on_behalf.html",
        {
            "referral": referral,
            "opportunity": referral.recommendation.opportunity,
            "form": form,
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
