"""Download a bundle from the cloud: resumable with ``Range``, checked against its SHA-256.

A store's uplink may be a 4G router that drops for minutes; a bundle of a few tens of MB
must not start over each time. Bytes go to ``<file>.part``; a later attempt asks for
``Range: bytes=<size>-`` and appends when the server answers 206 (starts over on 200). The
finished file is renamed into place only when its size and SHA-256 match what the cloud
published, so a half or corrupted file is never installed.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import httpx

from contracts.bundles import BundleError, sha256_file

log = logging.getLogger(__name__)


def download(
    url: str,
    dest: Path,
    *,
    sha256: str,
    size: int,
    headers: dict[str, str] | None = None,
    attempts: int = 5,
    timeout_s: float = 30.0,
    backoff_s: float = 1.0,
    verify: bool | str = True,
) -> Path:
    """Fetch ``url`` into ``dest`` (resuming ``dest.part``); BundleError after ``attempts``."""
    if dest.exists() and dest.stat().st_size == size and sha256_file(dest) == sha256:
        return dest
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    last: Exception | None = None
    for attempt in range(1, attempts + 1):
        try:
            _fetch(url, part, size, headers or {}, timeout_s, verify)
            break
        except (httpx.HTTPError, OSError) as exc:
            last = exc
            log.warning("download %s attempt %d: %s", url, attempt, exc)
            time.sleep(backoff_s * attempt)
    else:
        raise BundleError(f"download failed after {attempts} attempts: {last}")
    got = part.stat().st_size
    digest = sha256_file(part)
    if got != size or digest != sha256:
        part.unlink()
        raise BundleError(f"download checksum mismatch ({got} bytes, sha256 {digest[:12]}…)")
    os.replace(part, dest)
    return dest


def _fetch(
    url: str, part: Path, size: int, headers: dict[str, str], timeout_s: float, verify: bool | str
) -> None:
    have = part.stat().st_size if part.exists() else 0
    if have > size:
        part.unlink()
        have = 0
    if have == size:
        return
    request_headers = dict(headers)
    if have:
        request_headers["Range"] = f"bytes={have}-"
    with (
        httpx.Client(timeout=timeout_s, verify=verify) as client,
        client.stream("GET", url, headers=request_headers) as response,
    ):
        if response.status_code == 200:
            mode = "wb"  # the server ignored the range: start over
        elif response.status_code == 206 and _range_start(response) == have:
            mode = "ab"
        else:
            response.raise_for_status()
            raise httpx.HTTPStatusError(
                f"unexpected answer {response.status_code}",
                request=response.request,
                response=response,
            )
        with part.open(mode) as fh:
            for block in response.iter_bytes():
                fh.write(block)


def _range_start(response: httpx.Response) -> int:
    """The first byte of a 206 answer: ``Content-Range: bytes 100-199/200``."""
    value = response.headers.get("content-range", "")
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return -1
