"""YAML documents that remember where each value came from.

Catalog and assessment files are written by people, so every error must name `file:line`.
PyYAML's composed node graph keeps marks; this module walks it once to map each data path
(a tuple of keys and indexes) to its 1-based line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml when present: same results, much faster
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python PyYAML build
    _Loader = yaml.SafeLoader

DataPath = tuple[str | int, ...]
MAX_NODES = 200_000  # guards against alias bombs in hand-written files
TOO_DEEP = "invalid YAML: nesting depth exceeds what cnmm reads (hundreds of levels)"


class YamlSourceError(ValueError):
    """A YAML file that cannot be read; `str()` is `file:line: reason`."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class SourcedYaml:
    """Parsed data plus the line of every value path."""

    path: str
    data: Any
    lines: dict[DataPath, int] = field(default_factory=dict)
    duplicate_keys: tuple[tuple[DataPath, int], ...] = ()

    def line_of(self, data_path: Sequence[str | int]) -> int | None:
        """Line of the deepest known ancestor of `data_path` (1-based), if any."""
        key = tuple(data_path)
        while True:
            if key in self.lines:
                return self.lines[key]
            if not key:
                return None
            key = key[:-1]

    def where(self, data_path: Sequence[str | int]) -> str:
        """`file:line` for a value path (just the file when no line is known)."""
        line = self.line_of(data_path)
        return f"{self.path}:{line}" if line else self.path


def yaml_problem(exc: yaml.MarkedYAMLError) -> tuple[str, int | None]:
    """`invalid YAML: <problem>` (plus the context's line when it is elsewhere) and the
    1-based line of a PyYAML error."""
    mark = exc.problem_mark or exc.context_mark
    reason = f"invalid YAML: {exc.problem or exc}"
    if exc.context and exc.context_mark and exc.context_mark is not mark:
        reason += f" ({exc.context} at line {exc.context_mark.line + 1})"
    return reason, mark.line + 1 if mark else None


def nesting_refused(exc: yaml.MarkedYAMLError) -> bool:
    """Whether libyaml itself refused the nesting depth (newer builds stop at 1000 levels)."""
    return "maximum nesting depth" in str(exc.problem)


def _walk(node: yaml.Node, path: DataPath, out: SourcedYamlBuilder) -> None:
    out.count += 1
    if out.count > MAX_NODES:
        raise YamlSourceError(
            out.path, node.start_mark.line + 1, "document too large or alias bomb"
        )
    out.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key in seen:
                out.duplicates.append(((*path, key), key_node.start_mark.line + 1))
            seen.add(key)
            out.lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), out)


@dataclass
class SourcedYamlBuilder:
    """Mutable accumulator used while walking one document."""

    path: str
    lines: dict[DataPath, int] = field(default_factory=dict)
    duplicates: list[tuple[DataPath, int]] = field(default_factory=list)
    count: int = 0


def parse_sourced_yaml(text: str, path: str) -> SourcedYaml:
    """Parse one YAML document from `text`, keeping line numbers; raise YamlSourceError."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except RecursionError:
        loader.dispose()
        raise YamlSourceError(path, None, TOO_DEEP) from None
    except yaml.MarkedYAMLError as exc:
        reason, line = yaml_problem(exc)
        if nesting_refused(exc):
            # Newer libyaml builds refuse deep nesting themselves; older ones recurse until
            # Python's RecursionError above. Either way the user sees the same reason.
            raise YamlSourceError(path, line, TOO_DEEP) from None
        raise YamlSourceError(path, line, reason) from None
    except yaml.YAMLError as exc:
        raise YamlSourceError(path, None, f"invalid YAML: {exc}") from None
    if node is None:
        loader.dispose()
        return SourcedYaml(path=path, data=None)
    builder = SourcedYamlBuilder(path=path)
    try:
        _walk(node, (), builder)
        # Construct from the node already composed: parsing the text a second time would
        # double the cost of every catalog and assessment load.
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlSourceError(
            path, mark.line + 1 if mark else None, f"invalid YAML: {exc.problem or exc}"
        ) from None
    except RecursionError:
        raise YamlSourceError(path, None, TOO_DEEP) from None
    except ValueError as exc:  # PyYAML fails on impossible dates (2026-02-30) without a mark
        line, value = _bad_timestamp(node)
        reason = f"{value!r} is not a real calendar date" if value else f"invalid value: {exc}"
        raise YamlSourceError(path, line, reason) from None
    finally:
        loader.dispose()
    return SourcedYaml(
        path=path, data=data, lines=builder.lines, duplicate_keys=tuple(builder.duplicates)
    )


def _bad_timestamp(node: yaml.Node) -> tuple[int | None, str | None]:
    """Line and text of the first timestamp scalar that is not a real date."""
    from datetime import date

    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            if current.tag.endswith(":timestamp"):
                try:
                    date.fromisoformat(str(current.value)[:10])
                except ValueError:
                    return current.start_mark.line + 1, str(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(v for pair in reversed(current.value) for v in reversed(pair))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
    return None, None


def read_sourced_yaml(path: Path | str) -> SourcedYaml:
    """Read and parse a YAML file, keeping line numbers; raise YamlSourceError on any failure."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise YamlSourceError(name, None, f"cannot read file: {exc.strerror or exc}") from None
    if b"\x00" in raw[:8192]:
        raise YamlSourceError(name, None, "binary file, not YAML")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSourceError(name, None, f"not valid UTF-8 (byte {exc.start})") from None
    return parse_sourced_yaml(text, name)
