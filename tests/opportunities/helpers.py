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
