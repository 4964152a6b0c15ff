"""A meeting pack's files as one zip archive, for download."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping


def zipped(files: Mapping[str, bytes], folder: str) -> bytes:
    """The pack's files (by path inside the pack) in one zip, under ``folder/``.

    >>> import zipfile, io
    >>> zipfile.ZipFile(io.BytesIO(zipped({"index.html": b"<p>"}, "pakke"))).namelist()
    ['pakke/index.html']
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(f"{folder}/{name}", data)
    return buffer.getvalue()
