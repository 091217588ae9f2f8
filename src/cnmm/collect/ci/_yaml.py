"""YAML for CI files: line numbers on every mapping and list, tolerant of CI-specific tags.

CI files differ from Kubernetes manifests in ways that matter here: GitLab uses custom tags
(`!reference [job, script]`), anchors and merge keys are common, and GitHub's `on:` key is
read by YAML 1.1 as the boolean `True`. Values are plain `dict`/`list` subclasses carrying
the 1-based line of each entry, so every activity can point at its step.

The same guards as for manifests apply before anything is built: a bounded node count
(counting every alias expansion, so alias bombs fail fast) and a bounded nesting depth.
Duplicate keys are tolerated (the last wins, as GitLab does).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from cnmm.collect.manifests import MAX_DEPTH, MAX_NODES, ParseError

_DEEP_INDENT = re.compile(r"(?m)^[ \t?-]{" + str(MAX_DEPTH) + "}")


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


def _check_depth(text: str) -> None:
    """Exact nesting depth with the event parser (libyaml's composer would recurse in C)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else None
                raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", line)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _bound(root: yaml.Node) -> None:
    """Count nodes, every alias expansion included, and bound the depth."""
    count = 0
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ParseError(
                f"more than {MAX_NODES} nodes after alias expansion (alias bomb?)",
                root.start_mark.line + 1,
            )
        if depth > MAX_DEPTH:
            raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)


def load_documents(text: str) -> list[tuple[Any, int]]:
    """Every document of a YAML stream with its 1-based start line; ParseError when unsafe."""
    if text.count("[") + text.count("{") > MAX_DEPTH or _DEEP_INDENT.search(text) is not None:
        try:
            _check_depth(text)
        except yaml.MarkedYAMLError as exc:
            raise _error(exc) from None
    loader = _Loader(text)
    docs: list[tuple[Any, int]] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            _bound(node)
            docs.append((loader.construct_document(node), node.start_mark.line + 1))
    except yaml.MarkedYAMLError as exc:
        raise _error(exc) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()
    return docs


def _error(exc: yaml.MarkedYAMLError) -> ParseError:
    mark = exc.problem_mark or exc.context_mark
    reason = f"invalid YAML: {exc.problem or exc}"
    if exc.context and exc.context_mark and exc.context_mark is not mark:
        reason += f" ({exc.context} at line {exc.context_mark.line + 1})"
    return ParseError(reason, mark.line + 1 if mark else None)


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
