"""The API's manners: pages of at most 100 with links, ETags and 304, a rate limit per token
and per address with Retry-After, and its schema and docs page for signed-in people only,
served without a CDN under the portal's Content Security Policy."""

from django.test import Client
from django.urls import reverse

from boards.models import ApiToken
from opportunities.models import Opportunity


def test_lists_come_in_pages_with_links(register, bob, token_of):
    headers = token_of(bob)
    first = Client().get("/api/register?limit=3", **headers).json()
    total = Opportunity.objects.count()
    assert first["count"] == total and len(first["results"]) == 3
    assert first["previous"] is None and "offset=3" in first["next"]
    second = Client().get(first["next"], **headers).json()
    assert second["offset"] == 3 and "offset=0" in second["previous"]
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_a_page_too_large_or_a_bad_offset_is_a_400_with_a_sentence(bob, token_of):
    headers = token_of(bob)
    too_many = Client().get("/api/register?limit=500", **headers)
    assert too_many.status_code == 400
    assert too_many.json()["detail"] == "limit must be between 1 and 100."
    assert Client().get("/api/register?offset=-1", **headers).status_code == 400
    words = Client().get("/api/register?limit=many", **headers)
    assert words.status_code == 400 and "limit" in words.json()["detail"]


def test_an_etag_answers_304_until_something_changes(register, bob, token_of):
    headers = token_of(bob)
    first = Client().get("/api/register", **headers)
    etag = first["ETag"]
    assert etag and "private" in first["Cache-Control"]
    again = Client().get("/api/register", HTTP_IF_NONE_MATCH=etag, **headers)
    assert again.status_code == 304 and again.content == b""
    Opportunity.objects.filter(pk=first.json()["results"][0]["id"]).update(title="Renamed")
    changed = Client().get("/api/register", HTTP_IF_NONE_MATCH=etag, **headers)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_public_answers_have_etags_and_may_be_cached(public_board, approved_meeting):
    first = Client().get("/api/public/warwickshire/meetings")
    assert "public" in first["Cache-Control"] and first["ETag"]
    again = Client().get("/api/public/warwickshire/meetings", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_a_token_over_its_rate_is_answered_429_with_retry_after(settings, bob, token_of):
    settings.API_RATE_PER_MINUTE = 3
    headers = token_of(bob)
    answers = [Client().get("/api/register", **headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1]["Retry-After"] == "60"
    assert "at most 3 a minute" in answers[-1].json()["detail"]
    # Another token is counted apart; the first is still held back.
    assert Client().get("/api/register", **token_of(bob)).status_code == 200
    assert Client().get("/api/register", **headers).status_code == 429
    assert ApiToken.objects.filter(person=bob).count() == 2


def test_each_token_has_its_own_count(settings, bob, frank, token_of):
    settings.API_RATE_PER_MINUTE = 1
    assert Client().get("/api/register", **token_of(bob)).status_code == 200
    assert Client().get("/api/register", **token_of(frank)).status_code == 200


def test_the_public_endpoints_are_limited_per_address(settings, public_board):
    settings.API_PUBLIC_RATE_PER_MINUTE = 2
    answers = [Client().get("/api/public/warwickshire/meetings") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1]["Retry-After"] == "60"


def test_the_docs_and_schema_are_for_signed_in_people(client):
    for name in ("api:docs", "api:openapi-json"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response.url


def test_the_schema_lists_the_endpoints(client_of, bob):
    schema = client_of(bob).get(reverse("api:openapi-json")).json()
    paths = set(schema["paths"])
    assert {
        "/api/register",
        "/api/recommendations",
        "/api/referrals",
        "/api/referrals/{pk}/decision",
        "/api/decisions",
        "/api/meetings",
        "/api/public/{slug}/meetings",
        "/api/public/{slug}/register",
        "/api/public/{slug}/not-pursued",
    } <= paths
    schemes = schema["components"]["securitySchemes"].values()
    assert {"type": "http", "scheme": "bearer"} in list(schemes)


def test_the_docs_page_lists_every_endpoint_in_the_portals_layout(client_of, bob):
    response = client_of(bob).get(reverse("api:docs"))
    page = response.content.decode()
    assert response.status_code == 200
    for endpoint in ("GET /api/register", "POST /api/referrals/{pk}/decision"):
        assert endpoint in page
    assert "Authorization: Bearer" in page and reverse("api_tokens") in page
    # Nothing from a CDN, no inline script, under the strict CSP.
    assert "cdn" not in page.lower() and "<script>" not in page
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_the_api_root_leads_to_the_docs(client_of, bob):
    assert client_of(bob).get("/api/").url == reverse("api:docs")
