"""Shared output helpers: one console policy and one JSON writer for every command."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

from rich.console import Console

FORMAT_HELP = "Output format: terminal (default, rich when on a terminal) or json."


def make_console(stderr: bool = False) -> Console:
    """A rich console: colours on a terminal; plain text, 80 columns when piped."""
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(file=stream, stderr=stderr, highlight=False)
    return Console(
        file=stream,
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
