"""The zip-bomb check counts what an Office file really unpacks to, never what it declares."""

import io
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core import uploads


def office_file(filler: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        archive.writestr("word/media/filler.bin", filler)
    return buffer.getvalue()


def declaring_a_small_size(data: bytes, name: bytes, declared: int) -> bytes:
    """The archive with the entry's uncompressed size rewritten, in its local header and in the
    central directory, to ``declared``."""
    data = bytearray(data)
    position = 0
    while (local := data.find(b"PK\x03\x04", position)) != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if bytes(data[local + 30 : local + 30 + name_length]) == name:
            struct.pack_into("<I", data, local + 22, declared)
        position = local + 4
    position = 0
    while (central := data.find(b"PK\x01\x02", position)) != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == name:
            struct.pack_into("<I", data, central + 24, declared)
        position = central + 4
    return bytes(data)


def as_upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("paper.docx", content)


def test_an_ordinary_word_file_is_accepted():
    assert uploads.detect_kind(as_upload(office_file(b"text" * 100))) == uploads.DOCX


def test_an_entry_that_declares_a_small_size_but_unpacks_past_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNPACKED_SIZE", 1_000_000)
    liar = declaring_a_small_size(office_file(b"\0" * 5_000_000), b"word/media/filler.bin", 10)
    with zipfile.ZipFile(io.BytesIO(liar)) as archive:
        assert sum(entry.file_size for entry in archive.infolist()) < 1_000
    with pytest.raises(ValidationError) as refused:
        uploads.detect_kind(as_upload(liar))
    assert refused.value.code == "zip_bomb"


def test_an_entry_whose_declared_size_is_wrong_but_small_is_a_damaged_file():
    liar = declaring_a_small_size(office_file(b"\0" * 50_000), b"word/media/filler.bin", 10)
    with pytest.raises(ValidationError) as refused:
        uploads.detect_kind(as_upload(liar))
    assert refused.value.code == "damaged"


def test_unpacking_stops_at_the_cap_instead_of_unpacking_everything(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNPACKED_SIZE", 300_000)
    monkeypatch.setattr(uploads, "UNPACK_CHUNK", 64 * 1024)
    read = []
    original = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        chunk = original(self, n)
        read.append(len(chunk))
        return chunk

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    with pytest.raises(ValidationError):
        uploads.detect_kind(as_upload(office_file(b"\0" * 20_000_000)))
    assert sum(read) <= 300_000 + 64 * 1024
