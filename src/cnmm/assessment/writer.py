"""Saving assessment files safely (I/O): write a temporary file, then rename it over the old.

A rename within one directory is atomic, so an interrupted save (Ctrl-C, a full disk, a
crash) leaves either the previous file or the new one, never half of each.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cnmm.assessment.model import Assessment
from cnmm.assessment.render import render_assessment
from cnmm.catalog.model import Catalog


def write_text_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically (same directory temp file + fsync + rename)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        else:
            # mkstemp creates 0600; an answers file is an ordinary document
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def save_assessment(path: Path, assessment: Assessment, catalog: Catalog) -> None:
    """Write an assessment as a commented YAML file, atomically."""
    write_text_atomic(path, render_assessment(assessment, catalog))
