"""core.signing: a PDF signed with the configured PKCS#12 validates against its CA with pyHanko,
an altered byte breaks it, another CA does not vouch for it, and without a certificate the bytes
are handed back unsigned."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.signing import check_signature, looks_like_pdf, sha256_of, sign_pdf
from tests.signing import configure_signing, make_authority, validate_with


@pytest.fixture
def pdf() -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string="<h1>Minutes</h1><p>Agreed.</p>").write_pdf())


def test_a_signed_pdf_validates_against_the_test_ca(settings, tmp_path, pdf):
    authority = configure_signing(settings, tmp_path)
    issued = sign_pdf(pdf, reason="Approved by Helen Marsh, Chair, 12 March 2027")
    assert issued.signed and issued.sha256 == sha256_of(issued.content)
    status = validate_with(authority, issued.content)
    assert status.bottom_line
    check = check_signature(issued.content)
    assert check.vouches
    assert check.reason == "Approved by Helen Marsh, Chair, 12 March 2027"
    assert "Warwickshire Blue Light Board" in check.signer


def test_one_altered_byte_breaks_the_signature(settings, tmp_path, pdf):
    authority = configure_signing(settings, tmp_path)
    content = bytearray(sign_pdf(pdf, reason="Approved").content)
    content[len(pdf) // 2] ^= 0x01
    assert not validate_with(authority, bytes(content)).intact
    check = check_signature(bytes(content))
    assert check.present and not check.intact and not check.vouches


def test_another_authority_does_not_vouch_for_it(settings, tmp_path, pdf):
    configure_signing(settings, tmp_path)
    content = sign_pdf(pdf, reason="Approved").content
    other = tmp_path / "other"
    other.mkdir()
    configure_signing(settings, other, make_authority("Another CA"))
    check = check_signature(content)
    assert check.intact and not check.trusted and not check.vouches


def test_without_a_certificate_the_pdf_is_unsigned(settings, pdf):
    settings.PDF_SIGNING_CERTIFICATE = ""
    issued = sign_pdf(pdf, reason="Approved")
    assert not issued.signed and issued.content == pdf
    assert not check_signature(pdf).present


def test_a_signature_is_checked_where_an_event_loop_runs(settings, tmp_path, pdf):
    configure_signing(settings, tmp_path)
    content = sign_pdf(pdf, reason="Approved").content

    async def inside_a_loop():
        return check_signature(content)

    # A thread of its own: the browser tests' driver may hold this thread's loop already.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside_a_loop()).result().vouches


def test_a_pdf_is_known_by_its_header():
    assert looks_like_pdf(b"%PDF-1.7\n")
    assert not looks_like_pdf(b"PK\x03\x04")
    assert not looks_like_pdf(b" " * 2000 + b"%PDF-1.7")
