"""Files on object storage: with FILE_STORAGE=s3 the portal keeps papers, packs and backups in
an S3-compatible bucket — here a real S3 API server (moto's server mode) started by the tests —
and still serves them only through its permission checks, streamed by the portal."""

import hashlib
import io
import json
import tarfile

import boto3
import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer
from pypdf import PdfReader

from core.backups import Target, table_fingerprints
from meetings import tasks
from meetings.models import Meeting, PaperVersion
from tests.factories import pdf_bytes

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "eu-west-2"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **CREDENTIALS)


def new_bucket(endpoint, name):
    s3_client(endpoint).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    return name


def s3_storage(endpoint, bucket):
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": REGION,
            "access_key": "testing",
            "secret_key": "testing",
            "addressing_style": "path",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }


def objects_in(endpoint, bucket) -> dict[str, str]:
    client = s3_client(endpoint)
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {
        item["Key"]: hashlib.sha256(
            client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        ).hexdigest()
        for item in listed
    }


@pytest.fixture
def bucket(settings, s3_endpoint, request):
    name = new_bucket(s3_endpoint, f"papers-{abs(hash(request.node.name)) % 10**8}")
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(s3_endpoint, name)}
    return name


def upload(client, meeting, content, paper=None, title="Estates options"):
    url = (
        reverse("paper_new_version", kwargs={"pk": meeting.pk, "paper": paper.pk})
        if paper
        else reverse("paper_upload", kwargs={"pk": meeting.pk})
    )
    data = {"file": SimpleUploadedFile("estates.pdf", content, content_type="application/pdf")}
    if paper is None:
        data |= {"title": title, "agenda_item": ""}
    return client.post(url, data)


def download(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response.status_code, body


@pytest.mark.django_db
def test_papers_and_their_versions_live_in_the_bucket_and_are_served_after_the_check(
    client_of, s3_endpoint, bucket, published, alice, bob, charlie, tmp_path, settings
):
    first, second = pdf_bytes(1), pdf_bytes(2)
    assert upload(client_of(alice), published, first).status_code == 302
    paper = published.papers.get()
    assert upload(client_of(alice), published, second, paper=paper).status_code == 302

    stored = objects_in(s3_endpoint, bucket)
    versions = list(PaperVersion.objects.filter(paper=paper).order_by("number"))
    assert {v.file.name for v in versions} == set(stored)
    assert not any(tmp_path.rglob("*.pdf")), "nothing on the local disk"

    member = client_of(bob)
    current = reverse("paper_download", kwargs={"pk": published.pk, "paper": paper.pk})
    assert download(member, current) == (200, second)
    older = reverse(
        "paper_version_download", kwargs={"pk": published.pk, "paper": paper.pk, "version": 1}
    )
    assert download(member, older) == (200, first)
    assert download(client_of(charlie), current)[0] == 404
    assert Client().get(current)["Location"].startswith("/sign-in/")


@pytest.mark.django_db
def test_the_worker_builds_the_agenda_pack_into_the_bucket(
    client_of, s3_endpoint, bucket, published, alice, bob
):
    upload(client_of(alice), published, pdf_bytes(3))
    Meeting.objects.filter(pk=published.pk).update(pack_generation=1)
    tasks.build_agenda_pack(published.pk, 1)  # as the worker runs it
    published.refresh_from_db()
    assert published.pack_state == Meeting.FileState.READY
    assert published.pack_file.name in objects_in(s3_endpoint, bucket)
    status, body = download(client_of(bob), reverse("pack_download", kwargs={"pk": published.pk}))
    assert status == 200 and len(PdfReader(io.BytesIO(body)).pages) >= 4


@pytest.fixture
def new_database():
    settings = dict(connection.settings_dict)
    name = settings["NAME"] + "_s3_restored"
    admin = {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
    target = Target({**settings, "NAME": name})
    yield target
    with psycopg.connect(**admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_portal_on_s3_backs_up_and_restores_into_a_new_bucket(
    client_of, s3_endpoint, bucket, settings, tmp_path, new_database, published, alice
):
    upload(client_of(alice), published, pdf_bytes(2))
    upload(client_of(alice), published, pdf_bytes(1), title="Fleet")
    before = objects_in(s3_endpoint, bucket)
    assert sorted(key.split("/")[0] for key in before) == ["packs", "papers", "papers"]
    call_command("backup", str(tmp_path), stdout=io.StringIO())
    (archive,) = tmp_path.glob("bluelight-*.tar")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {f"files/{key}" for key in before} <= set(manifest["members"])

    empty = new_bucket(s3_endpoint, "restored-papers")
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(s3_endpoint, empty)}
    s = new_database.settings
    url = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    call_command("restore", str(archive), database_url=url, stdout=io.StringIO())

    assert objects_in(s3_endpoint, empty) == before
    restored = table_fingerprints(new_database)
    assert restored["boards_paperversion"] == manifest["tables"]["boards_paperversion"]
    assert restored == manifest["tables"]
