"""YAML for CI files: line numbers on every mapping and list, tolerant of CI-specific tags.

CI files differ from Kubernetes manifests in ways that matter here: GitLab uses custom tags
(`!reference [job, script]`), anchors and merge keys are common, and GitHub's `on:` key is
read by YAML 1.1 as the boolean `True`. Values are plain `dict`/`list` subclasses carrying
the 1-based line of each entry, so every activity can point at its step.

Documents are read by `cnmm.collect.manifests.parse_documents`, so the same guards as for
manifests apply before anything is built: a bounded node count (counting every alias
expansion, so alias bombs fail fast) and a bounded nesting depth. Duplicate keys are
tolerated (the last wins, as GitLab does).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from cnmm.collect.manifests import parse_documents


class YMap(dict[Any, Any]):
    """A mapping that knows the line of itself and of each value."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}
        self.key_lines: dict[Any, int] = {}
        self.blocks: set[Any] = set()  # keys whose value is a `|` or `>` block scalar
        self.source = ""  # the file it was read from, when readers need to know
        self.key_sources: dict[Any, str] = {}  # per key, when merged from several files

    def line_of(self, key: Any) -> int | None:
        """1-based line of the value of `key` (None when absent)."""
        return self.lines.get(key)


class YList(list[Any]):
    """A list that knows the line of itself and of each item."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int] = []
        self.blocks: set[int] = set()
        self.source = ""

    def line_of(self, index: int) -> int | None:
        """1-based line of item `index`."""
        return self.lines[index] if 0 <= index < len(self.lines) else None


class Reference(YList):
    """A GitLab `!reference [job, key, ...]` tag, resolved by the GitLab reader."""


class _Loader(yaml.CSafeLoader):
    """libyaml parsing, Python construction into YMap/YList."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Any:
    data = YMap()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            key = str(key)
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = value_node.start_mark.line + 1
        data.key_lines[key] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">"):
            data.blocks.add(key)


def _fill_list(loader: _Loader, node: yaml.SequenceNode, data: YList) -> None:
    data.line = node.start_mark.line + 1
    for index, item in enumerate(node.value):
        data.append(loader.construct_object(item, deep=True))
        data.lines.append(item.start_mark.line + 1)
        if isinstance(item, yaml.ScalarNode) and item.style in ("|", ">"):
            data.blocks.add(index)


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Any:
    data = YList()
    yield data
    _fill_list(loader, node, data)


def _construct_reference(loader: _Loader, node: yaml.Node) -> Any:
    data = Reference()
    yield data
    if isinstance(node, yaml.SequenceNode):
        _fill_list(loader, node, data)


def _construct_unknown(loader: _Loader, tag_suffix: str, node: yaml.Node) -> Any:
    """Unknown tags (`!Ref`, `!!python/...`, ...) become their plain value: never code."""
    if isinstance(node, yaml.MappingNode):
        return (yield from _construct_map(loader, node))
    if isinstance(node, yaml.SequenceNode):
        return (yield from _construct_seq(loader, node))
    yield loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("!reference", _construct_reference)
_Loader.add_constructor(
    "tag:yaml.org,2002:value",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)
_Loader.add_multi_constructor("", _construct_unknown)


def load_documents(text: str) -> list[tuple[Any, int]]:
    """Every document of a YAML stream with its 1-based start line; ParseError when unsafe."""
    return parse_documents(text, _Loader, unique_keys=False)


def line_in(container: Any, key: Any, default: int | None = None) -> int | None:
    """Line of `container[key]` when the container knows it, else `default`."""
    if isinstance(container, YMap | YList):
        found = container.line_of(key)
        if found is not None:
            return found
    return default


def key_line(container: Any, key: Any, default: int | None = None) -> int | None:
    """Line of the key `key` in a mapping (where a job or step is named)."""
    if isinstance(container, YMap) and key in container.key_lines:
        return container.key_lines[key]
    return default


def line_of(value: Any, default: int | None = None) -> int | None:
    """Line where a mapping or list starts (else `default`)."""
    if isinstance(value, YMap | YList) and value.line:
        return value.line
    return default


def script_start(container: Any, key: Any) -> int | None:
    """Line of the first script line of `container[key]` (block scalars start a line later)."""
    line = line_in(container, key)
    if line is None:
        return None
    blocks: set[Any] = getattr(container, "blocks", set())
    return line + 1 if key in blocks else line


def as_map(value: Any) -> Mapping[Any, Any]:
    """`value` when it is a mapping, else an empty one (CI files are often half-written)."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """`value` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []
