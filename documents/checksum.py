"""The SHA-256 of a file, read in blocks: what a generated file and an upload are known by.

A finished generated file never changes, so its checksum (stored with it and
in every download's event) shows which bytes went out; an import keeps the
checksum of its upload.
"""

from __future__ import annotations

import hashlib
from typing import BinaryIO


def sha256_of(handle: BinaryIO) -> str:
    """The hex digest of the whole file; the handle is left at its start."""
    digest = hashlib.sha256()
    handle.seek(0)
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    handle.seek(0)
    return digest.hexdigest()
