"""Official download: offline, success, checksum mismatch, retries; dest untouched on failure."""

from __future__ import annotations

import base64
import hashlib
import time
from pathlib import Path

import httpx
import pytest

from clearance.errors import ClearanceError
from clearance.sources.download import OFFICIAL_FILES, download_official

CSV = b'1,"ACME",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a'
XML = b"<CONSOLIDATED_LIST/>"


def _body(url: httpx.URL) -> bytes:
    return XML if url.path.endswith(".xml") else CSV


def _digest(data: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(data).digest()).decode() + ":"


def test_offline_says_so_and_changes_nothing(tmp_path: Path) -> None:
    """Really calls the official hosts; this machine has no internet."""
    (tmp_path / "keep.txt").write_text("old")
    start = time.monotonic()
    with pytest.raises(ClearanceError, match=r"^offline: could not reach .*nothing changed"):
        download_official(tmp_path, timeout=2, retries=2, backoff=0)
    assert time.monotonic() - start < 30
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_success_writes_files_and_checksums(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = _body(request.url)
        return httpx.Response(200, content=body, headers={"Content-Digest": _digest(body)})

    written = download_official(tmp_path, transport=httpx.MockTransport(handler), backoff=0)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [r for r, _ in OFFICIAL_FILES]
    for path in written:
        recorded = path.with_name(path.name + ".sha256").read_text().split()[0]
        assert recorded == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".download-")]


def test_checksum_mismatch_fails_and_leaves_dest(tmp_path: Path) -> None:
    old = tmp_path / "ofac_sdn/sdn.csv"
    old.parent.mkdir()
    old.write_bytes(b"previous")
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        body = _body(request.url)
        digest = _digest(b"other bytes") if request.url.path.endswith("ALT.CSV") else _digest(body)
        return httpx.Response(200, content=body, headers={"Content-Digest": digest})

    with pytest.raises(ClearanceError, match=r"checksum mismatch.*nothing changed"):
        download_official(tmp_path, retries=3, transport=httpx.MockTransport(handler), backoff=0)
    assert calls.count("/api/PublicationPreview/exports/ALT.CSV") == 3  # retried
    assert old.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ofac_sdn"]


def test_server_errors_are_retried(tmp_path: Path) -> None:
    failures = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if failures["n"] < 2:
            failures["n"] += 1
            return httpx.Response(503)
        return httpx.Response(200, content=_body(request.url))

    assert len(download_official(tmp_path, transport=httpx.MockTransport(handler), backoff=0)) == 9


def test_truncated_csv_download_is_rejected(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=_body(request.url).rstrip(b"\x1a\r\n"))

    with pytest.raises(ClearanceError, match="0x1A"):
        download_official(tmp_path, retries=1, transport=httpx.MockTransport(handler))


def test_client_error_is_not_retried(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404)

    with pytest.raises(ClearanceError, match="HTTP 404"):
        download_official(tmp_path, transport=httpx.MockTransport(handler))
