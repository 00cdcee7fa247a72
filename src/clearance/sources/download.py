"""Download the current official list files (OFAC SDN + consolidated CSV sets, UN XML).

All files go to a temporary folder first and are moved into ``dest`` only when every download
succeeded and checked out, so a failed or offline update leaves earlier files untouched. Each
file gets a ``<name>.sha256`` beside it. When the server states a digest (``Content-Digest`` /
``Digest`` sha-256 headers) the bytes must match it; a length that differs from
``Content-Length`` or an OFAC CSV without its 0x1A end marker counts as a broken download.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import httpx

from clearance.errors import ClearanceError

OFAC_BASE = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
UN_URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"

#: (relative destination, URL) of every official file fetched by :func:`download_official`.
OFFICIAL_FILES: tuple[tuple[str, str], ...] = (
    *(
        (f"ofac_sdn/{name.lower()}", OFAC_BASE + name)
        for name in (
            "SDN.CSV",
            "ADD.CSV",
            "ALT.CSV",
            "SDN_COMMENTS.CSV",
        )
    ),
    *(
        (f"ofac_cons/{name.lower()}", OFAC_BASE + name)
        for name in (
            "CONS_PRIM.CSV",
            "CONS_ADD.CSV",
            "CONS_ALT.CSV",
            "CONS_COMMENTS.CSV",
        )
    ),
    ("un/UN_consolidated.xml", UN_URL),
)

_DIGEST = re.compile(r"sha-256=:?([A-Za-z0-9+/=]+):?", re.IGNORECASE)


class _BadDownload(Exception):
    """A response arrived but its content is not what was announced (retried)."""


def _announced_digest(response: httpx.Response) -> bytes | None:
    for header in ("content-digest", "digest"):
        value = response.headers.get(header)
        if value and (match := _DIGEST.search(value)):
            try:
                return base64.b64decode(match.group(1))
            except ValueError:
                return None
    return None


def _check(name: str, response: httpx.Response) -> bytes:
    data = response.content
    announced_length = response.headers.get("content-length")
    if announced_length and announced_length.isdigit() and int(announced_length) != len(data):
        raise _BadDownload(f"{name}: got {len(data)} of {announced_length} bytes")
    digest = _announced_digest(response)
    if digest is not None and hashlib.sha256(data).digest() != digest:
        raise _BadDownload(f"{name}: checksum mismatch (sha-256 differs from the server's)")
    if name.endswith(".csv") and not data.rstrip(b"\r\n").endswith(b"\x1a"):
        raise _BadDownload(f"{name}: no OFAC end-of-file marker 0x1A (truncated download)")
    if not data.strip():
        raise _BadDownload(f"{name}: empty download")
    return data


def _fetch(client: httpx.Client, name: str, url: str, retries: int, backoff: float) -> bytes:
    last_error = ""
    reachable = False
    for attempt in range(max(retries, 1)):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            response = client.get(url)
        except httpx.TransportError as exc:
            last_error = f"{type(exc).__name__}: {exc}"
            continue
        reachable = True
        if response.status_code >= 500 or response.status_code == 429:
            last_error = f"HTTP {response.status_code}"
            continue
        if response.status_code >= 400:
            raise ClearanceError(
                f"download failed: {url} answered HTTP {response.status_code}; nothing changed"
            )
        try:
            return _check(name, response)
        except _BadDownload as exc:
            last_error = str(exc)
    if not reachable:
        host = httpx.URL(url).host
        raise ClearanceError(f"offline: could not reach {host} ({last_error}); nothing changed")
    raise ClearanceError(
        f"download failed after {retries} tries: {url}: {last_error}; nothing changed"
    )


def download_official(
    dest: Path,
    timeout: float = 30,
    retries: int = 3,
    *,
    backoff: float = 1.0,
    transport: httpx.BaseTransport | None = None,
    files: tuple[tuple[str, str], ...] = OFFICIAL_FILES,
) -> list[Path]:
    """Fetch the official files into ``dest`` (all or nothing); returns the files written.

    Raises :class:`ClearanceError` ("offline: ...; nothing changed") when a server cannot be
    reached, and for any other failed download; ``dest`` is then unchanged.
    """
    dest.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".download-", dir=dest))
    try:
        with httpx.Client(timeout=timeout, transport=transport, follow_redirects=True) as client:
            for relative, url in files:
                data = _fetch(client, Path(relative).name, url, retries, backoff)
                target = staging / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                digest = hashlib.sha256(data).hexdigest()
                target.with_name(target.name + ".sha256").write_text(
                    f"{digest}  {target.name}\n", encoding="ascii"
                )
        written: list[Path] = []
        for relative, _url in files:
            for suffix in ("", ".sha256"):
                source = staging / (relative + suffix)
                final = dest / (relative + suffix)
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, final)
            written.append(dest / relative)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
