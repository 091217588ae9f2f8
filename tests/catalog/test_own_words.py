"""The catalog restates the model in its own words: no long verbatim runs from the seed."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from cnmm.catalog.loader import catalog_dir

RUN = 9  # words in a row that would count as copying a sentence


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() if k not in ("source", "id") for s in _strings(v)]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


def test_no_sentence_copied_from_the_seed(shared_dir: Path) -> None:
    seed = set()
    for path in (shared_dir / "seed").glob("*.md"):
        seed |= _shingles(_words(path.read_text()))
    copied = []
    for path in sorted(catalog_dir().rglob("*.yaml")):
        for text in _strings(yaml.safe_load(path.read_text())):
            hits = _shingles(_words(text)) & seed
            if hits:
                copied.append(f"{path.name}: {' '.join(sorted(hits)[0])}")
    assert not copied, "verbatim runs from the seed:\n" + "\n".join(copied[:20])
