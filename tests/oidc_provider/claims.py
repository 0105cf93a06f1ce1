"""What the test provider says about its people: groups stand for their provider settings.

- ``unverified``: the provider has not verified their e-mail address (``email_verified`` false);
- ``mfa``: they sign in with a password and a second factor (``amr`` ["pwd", "mfa"]), others
  with a password alone (["pwd"]).
"""


def userinfo(claims, user):
    claims["email"] = user.email
    claims["email_verified"] = not user.groups.filter(name="unverified").exists()
    claims["name"] = user.get_full_name() or user.username
    return claims


def add_authentication_methods(id_token, user, **kwargs):
    second_factor = user.groups.filter(name="mfa").exists()
    id_token["amr"] = ["pwd", "mfa"] if second_factor else ["pwd"]
    return id_token
