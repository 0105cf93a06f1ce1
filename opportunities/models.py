"""The collaboration register and the referral workflow (opportunities, recommendations,
referrals and decisions) live here."""
