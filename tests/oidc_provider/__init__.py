"""A real OpenID Connect provider (django-oidc-provider) for the single sign-on tests.

A Django project of its own, run in a second process by ``harness.Provider``: its own settings,
SQLite database and RSA signing key; a registered client for the portal; people with e-mail
addresses, verified or not, who sign in with a password and, for some, a second factor (as the
``amr`` claim of their id_token says).
"""
