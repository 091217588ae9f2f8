"""Shared output helpers: one console policy and one JSON writer for every command."""

from __future__ import annotations

import json
import sys
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


def print_json(data: Any) -> None:
    """Write `data` as indented JSON to stdout, followed by a newline."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    sys.stdout.write("\n")


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
