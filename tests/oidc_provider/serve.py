"""Run the test identity provider: ``python -m tests.oidc_provider.serve PORT SPEC``.

SPEC is a JSON file naming its clients (client_id, client_secret, redirect_uris) and people
(email, password, groups: "mfa", "unverified"). The database is made afresh, with a new RSA
signing key, then the provider serves on 127.0.0.1:PORT until it is stopped.
"""

import json
import os
import sys


def prepare(spec: dict) -> None:
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType

    call_command("migrate", verbosity=0, interactive=False)
    call_command("creatersakey")
    for entry in spec["clients"]:
        client = Client(
            name="Blue Light Collaboration",
            client_type="confidential",
            client_id=entry["client_id"],
            client_secret=entry["client_secret"],
            jwt_alg="RS256",
            require_consent=True,
            reuse_consent=False,
        )
        client.redirect_uris = entry["redirect_uris"]
        client.save()
        client.response_types.set(ResponseType.objects.filter(value="code"))
    for entry in spec["people"]:
        person = User.objects.create_user(
            username=entry["email"], email=entry["email"], password=entry["password"]
        )
        for name in entry.get("groups", []):
            person.groups.add(Group.objects.get_or_create(name=name)[0])


def main() -> None:
    port, spec_path = int(sys.argv[1]), sys.argv[2]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    with open(spec_path) as spec_file:
        prepare(json.load(spec_file))

    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    run("127.0.0.1", port, get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main()
