"""What the test provider says about its people: groups stand for their provider settings.

- ``unverified``: the provider has not verified their e-mail address (``email_verified`` false);
- ``mfa``: they sign in with a password and a second factor (``amr`` ["pwd", "mfa"]), others
  with a password alone (["pwd"]);
- ``domain_verified``: as Microsoft Entra ID does, no ``email_verified`` at all, but
  ``xms_edov`` true in the id_token (the address's domain is verified by the tenant).
"""


def _in(user, group):
    return user.groups.filter(name=group).exists()


def userinfo(claims, user):
    claims["email"] = user.email
    if not _in(user, "domain_verified"):
        claims["email_verified"] = not _in(user, "unverified")
    claims["name"] = user.get_full_name() or user.username
    return claims


def add_authentication_methods(id_token, user, **kwargs):
    id_token["amr"] = ["pwd", "mfa"] if _in(user, "mfa") else ["pwd"]
    if _in(user, "domain_verified"):
        id_token["xms_edov"] = True
    return id_token
