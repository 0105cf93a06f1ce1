from opportunities import services


def referral_for(recommendation, organisation):
    return recommendation.referrals.get(organisation=organisation)


def decide(referral, actor, outcome="approved", **extra):
    referral.refresh_from_db()
    return services.referral_decide(
        referral=referral,
        actor=actor,
        outcome=outcome,
        reference=extra.pop("reference", "REF/1"),
        notes=extra.pop("notes", "Noted."),
        seen_revision=referral.revision,
        **extra,
    )


def opened(opportunity, data):
    """Form data as posted from a page opened now: with the opportunity's current version."""
    return {**data, "version": type(opportunity).objects.get(pk=opportunity.pk).edit_version}


def opened_estimates(opportunity, data):
    """Estimates form data as posted from a page opened now."""
    from opportunities.review_services import estimates_version

    return {**data, "version": estimates_version(opportunity)}
