"""JSON on stdout: long lists stream one compact item a line; the document is unchanged."""

from __future__ import annotations

import json

import pytest

from cnmm.cli.output import LONG_LIST, print_json


def test_short_documents_are_indented(capsys: pytest.CaptureFixture[str]) -> None:
    data = {"a": [1, 2], "b": {"c": "line\nbreak"}}
    print_json(data)
    out = capsys.readouterr().out
    assert out == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def test_long_lists_are_written_one_item_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    items = [{"rule": f"r{i}", "message": "a\nb ü", "n": i} for i in range(LONG_LIST * 2 + 7)]
    data = {"schema": "x", "summary": {"k": [1, {"z": None}]}, "findings": items, "end": []}
    print_json(data)
    out = capsys.readouterr().out
    assert json.loads(out) == data
    lines = out.splitlines()
    item_lines = [line for line in lines if line.startswith('    {"rule"')]
    assert len(item_lines) == len(items)  # one compact item a line
    assert '  "summary": {' in lines and '    "k": [' in lines  # the rest stays indented
    assert out.endswith("\n}\n") and "ü" in out
