"""Starting and stopping the test identity provider in a second process, and going through its
pages as a browser would (its sign-in form, then its consent form)."""

import hashlib
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import requests

REPOSITORY = Path(__file__).resolve().parents[2]
START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Provider:
    """One provider process: ``Provider(folder, clients=[...], people=[...])``, then
    ``start()`` (returns once its discovery document answers) and ``stop()``."""

    def __init__(self, folder: Path, *, clients: list[dict], people: list[dict]) -> None:
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.base}/openid"
        self.spec = {"clients": clients, "people": people}
        self.process: subprocess.Popen | None = None

    @property
    def log(self) -> str:
        path = self.folder / "provider.log"
        return path.read_text() if path.exists() else ""

    def start(self) -> "Provider":
        spec_path = self.folder / "provider.json"
        spec_path.write_text(json.dumps(self.spec))
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
            "TEST_PROVIDER_DB": str(self.folder / "provider.sqlite3"),
            "TEST_PROVIDER_SITE_URL": self.base,
            "PYTHONPATH": str(REPOSITORY),
        }
        with open(self.folder / "provider.log", "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.oidc_provider.serve", str(self.port), spec_path],
                cwd=REPOSITORY,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The test identity provider stopped:\n{self.log}")
            try:
                if requests.get(self.discovery_url, timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"The test identity provider did not answer:\n{self.log}")

    def signing_key(self) -> tuple[str, str]:
        """The provider's private RSA key (PEM) and its key id, read from its database, for
        tests that forge an id_token the provider itself could have signed."""
        with sqlite3.connect(self.folder / "provider.sqlite3") as database:
            (pem,) = database.execute("SELECT key FROM oidc_provider_rsakey").fetchone()
        return pem, hashlib.md5(pem.encode()).hexdigest()  # the provider's own key id

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


class ProviderBrowser:
    """A browser at the provider: follows its redirects, fills in its sign-in form and answers
    its consent form, and stops at the first address outside the provider (the portal's
    callback), which it returns."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.session = requests.Session()

    def sign_in(self, authorize_url: str, *, email: str, password: str, allow: bool = True) -> str:
        response = self._follow(self.session.get(authorize_url, allow_redirects=False))
        if isinstance(response, str):
            return response  # already signed in at the provider, consent not asked
        if 'name="password"' in response.text:
            fields = {**_hidden_inputs(response.text), "username": email, "password": password}
            response = self._follow(
                self.session.post(response.url, data=fields, allow_redirects=False)
            )
            if isinstance(response, str):
                return response
        if 'name="allow"' not in response.text:
            raise AssertionError(f"No consent form at the provider:\n{response.text[:2000]}")
        fields = _hidden_inputs(response.text)
        if allow:
            fields["allow"] = "Authorize"
        action = urljoin(response.url, _form_action(response.text) or response.url)
        result = self._follow(self.session.post(action, data=fields, allow_redirects=False))
        if not isinstance(result, str):
            raise AssertionError(f"The provider did not send the browser back:\n{result.text}")
        return result

    def _follow(self, response: requests.Response) -> "requests.Response | str":
        while response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if not target.startswith(self.provider.base):
                return target
            response = self.session.get(target, allow_redirects=False)
        return response


def _hidden_inputs(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' not in tag:
            continue
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
    return fields


def _form_action(html: str) -> str:
    found = re.search(r'<form[^>]*action="([^"]*)"', html)
    return unescape(found.group(1)) if found else ""
