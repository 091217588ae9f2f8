"""Shared output helpers: one console policy and one JSON writer for every command."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, NoReturn

from rich.console import Console

if TYPE_CHECKING:
    from cnmm.catalog import Catalog


class _TrimmedLines:
    """A text stream that drops the spaces rich pads lines with, so piped output is plain."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._pending = ""

    def write(self, text: str) -> int:
        lines = (self._pending + text).split("\n")
        self._pending = lines.pop()
        if lines:
            self._stream.write("\n".join(line.rstrip() for line in lines) + "\n")
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(self._pending.rstrip())
            self._pending = ""
        self._stream.flush()

    def isatty(self) -> bool:
        return False


def make_console(stderr: bool = False) -> Console:
    """A rich console: colours on a terminal; plain text, 80 columns when piped."""
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(file=stream, stderr=stderr, highlight=False)
    return Console(
        file=_TrimmedLines(stream),  # type: ignore[arg-type]
        width=80,
        no_color=True,
        color_system=None,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )


LONG_LIST = 1000  # top-level lists longer than this are written one compact item a line


def print_json(data: Any) -> None:
    """Write `data` as indented JSON to stdout, followed by a newline.

    A scan of a large repository holds 100,000s of findings (100 MB of JSON): the items of
    such long top-level lists are written one compact object a line (by json's C encoder,
    several times faster than indenting them, and easy to grep), and everything is written
    as it is encoded rather than joined into one string first (which would more than double
    the memory the scan itself needs)."""
    write = sys.stdout.write
    if not isinstance(data, dict) or not any(
        isinstance(v, list) and len(v) > LONG_LIST for v in data.values()
    ):
        _write_indented(data, write)
        write("\n")
        return
    compact = json.JSONEncoder(ensure_ascii=False, default=str)
    write("{")
    for index, (key, value) in enumerate(data.items()):
        write(",\n  " if index else "\n  ")
        write(json.dumps(str(key), ensure_ascii=False) + ": ")
        if isinstance(value, list) and len(value) > LONG_LIST:
            write("[\n    ")
            batch: list[str] = []
            for number, item in enumerate(value):
                batch.append(compact.encode(item))
                if len(batch) >= 4096 or number == len(value) - 1:
                    write(",\n    ".join(batch))
                    if number != len(value) - 1:
                        write(",\n    ")
                    batch.clear()
            write("\n  ]")
        else:
            _write_indented(value, lambda text: write(text.replace("\n", "\n  ")))
    write("\n}\n")


def _write_indented(data: Any, write: Callable[[str], object]) -> None:
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False, default=str)
    batch: list[str] = []
    for chunk in encoder.iterencode(data):
        batch.append(chunk)
        if len(batch) >= 8192:
            write("".join(batch))
            batch.clear()
    write("".join(batch))


def fail(message: str, code: int = 2) -> NoReturn:
    """Print an error to stderr and exit with `code`."""
    import typer

    # soft_wrap: a `file:line: reason` line must stay one line, whatever the width.
    make_console(stderr=True).print(f"error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(code)


def load_catalog_or_exit() -> Catalog:
    """The bundled catalog; exit 4 (could not run) listing its problems when it is invalid."""
    from cnmm.catalog import CatalogError, load_catalog

    try:
        return load_catalog()
    except CatalogError as exc:
        fail(str(exc), code=4)
