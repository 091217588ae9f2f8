"""The files of one repository, as CI readers need them.

Pipelines reach into other files: a step runs `make test` (the Makefile says what that
does), `npm test` (package.json), `./hack/test.sh`, `goreleaser release` (its config decides
whether images are built, signed and get SBOMs), a GitLab `include:` or an Azure template.
`RepoFiles` finds such files by repository-relative path (never outside the root), reads
them once with the same size/binary/UTF-8 guards as every other file, and caches the parse.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cnmm.collect.files import DEFAULT_MAX_FILE_SIZE, FileReadError, read_text

AUX_MAX_SIZE = 1024 * 1024  # Makefiles, scripts, package.json: larger ones are not followed


def normalise(relative: str) -> str | None:
    """A clean repository-relative POSIX path, or None when it leaves the repository."""
    cleaned = posixpath.normpath(relative.replace("\\", "/").lstrip("/"))
    if cleaned in (".", ""):
        return ""
    if cleaned == ".." or cleaned.startswith("../"):
        return None
    return cleaned


def join(cwd: str, path: str) -> str | None:
    """`path` relative to the repository directory `cwd` (absolute-looking paths are rooted)."""
    if path.startswith("/"):
        return normalise(path)
    return normalise(posixpath.join(cwd, path) if cwd else path)


@dataclass
class MakeTarget:
    """One Makefile rule: prerequisites and recipe lines (with their 1-based lines)."""

    name: str
    prerequisites: list[str] = field(default_factory=list)
    recipe: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Makefile:
    """A parsed Makefile: targets, simple variables and the default target."""

    path: str  # repository-relative
    targets: dict[str, MakeTarget] = field(default_factory=dict)
    patterns: list[MakeTarget] = field(default_factory=list)  # `name` holds a `%` pattern
    variables: dict[str, str] = field(default_factory=dict)
    default: str | None = None

    def pattern_for(self, goal: str) -> tuple[MakeTarget, str] | None:
        """The pattern rule (`name-%:`) that builds `goal`, with the stem `%` stood for."""
        for rule in self.patterns:
            prefix, _, suffix = rule.name.partition("%")
            if (
                goal.startswith(prefix)
                and goal.endswith(suffix)
                and len(goal) > len(prefix) + len(suffix)
            ):
                return rule, goal[len(prefix) : len(goal) - len(suffix)]
        return None

    def expand(self, text: str, overrides: dict[str, str] | None = None) -> str:
        """Expand `$(VAR)`/`${VAR}` from simple assignments (a few rounds), then `$$` -> `$`."""
        values = {**self.variables, **(overrides or {})}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            return values.get(name, match.group(0))

        for _ in range(5):
            expanded = _MAKE_VAR.sub(replace, text)
            if expanded == text:
                break
            text = expanded
        return text.replace("$$", "$")


_MAKE_VAR = re.compile(
    r"(?<!\$)\$(?:\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\{([A-Za-z_][A-Za-z0-9_.-]*)\})"
)
_MAKE_ASSIGN = re.compile(
    r"^(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(\?=|:=|::=|\+=|!=|=)\s*(.*)$"
)
_MAKE_RULE = re.compile(r"^([^:=#\t][^:=#]*?)\s*::?(?!=)\s*(.*)$")
_MAKE_STATIC = re.compile(r"^\s*(\S*%\S*)\s*:(?!=)\s*(.*)$")
_MAKE_DIRECTIVES = (
    "ifeq",
    "ifneq",
    "ifdef",
    "ifndef",
    "else",
    "endif",
    "include",
    "-include",
    "sinclude",
    "define",
    "endef",
    "export",
    "unexport",
    "vpath",
    "override",
)


def parse_makefile(text: str, path: str) -> Makefile:
    """Targets, recipes and simple variables of a Makefile (conditionals are all taken)."""
    result = Makefile(path)
    current: list[MakeTarget] = []
    in_define = False
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        number = index + 1
        raw = lines[index]
        index += 1
        while raw.endswith("\\") and index < len(lines):  # continuation lines
            raw = raw[:-1] + " " + lines[index].strip()
            index += 1
        if in_define:
            in_define = not raw.strip().startswith("endef")
            continue
        if raw.startswith("\t"):
            for target in current:
                target.recipe.append((raw[1:], number))
            continue
        line = raw.split("#", 1)[0].rstrip()
        stripped = line.strip()
        if not stripped:
            continue
        word = stripped.split(None, 1)[0]
        if word == "define":
            in_define = True
            continue
        assign = _MAKE_ASSIGN.match(stripped)
        if assign:
            name, op, value = assign.groups()
            if op == "+=" and name in result.variables:
                result.variables[name] += " " + value
            elif op != "!=" and (op != "?=" or name not in result.variables):
                result.variables[name] = value
            continue
        if word in _MAKE_DIRECTIVES:
            current = (
                [] if word not in ("else", "endif", "ifeq", "ifneq", "ifdef", "ifndef") else current
            )
            continue
        rule = _MAKE_RULE.match(stripped)
        if not rule:
            continue
        names, rest = rule.groups()
        if _MAKE_ASSIGN.match(rest.split(";", 1)[0].strip()):
            continue  # a target-specific variable (`target: VAR = value`)
        names = result.expand(names)
        rest = rest.split(";", 1)
        static = _MAKE_STATIC.match(rest[0])
        if static:  # `targets: pattern: prerequisites` (a static pattern rule)
            names, rest[0] = static.group(1), static.group(2)
        prerequisites = [p for p in rest[0].split("|")[0].split() if p]
        current = []
        for name in names.split():
            if name.startswith(".") and name not in (".",):
                continue  # .PHONY, .DEFAULT_GOAL, ...
            if "%" in name:
                pattern = MakeTarget(name, prerequisites)
                if len(rest) > 1 and rest[1].strip():
                    pattern.recipe.append((rest[1].strip(), number))
                result.patterns.append(pattern)
                current.append(pattern)
                continue
            if "$" in name:
                continue
            target = result.targets.setdefault(name, MakeTarget(name))
            target.prerequisites.extend(prerequisites)
            if len(rest) > 1 and rest[1].strip():
                target.recipe.append((rest[1].strip(), number))
            current.append(target)
            if result.default is None:
                result.default = name
    goal = result.variables.get(".DEFAULT_GOAL")
    if goal:
        result.default = goal.strip()
    return result


@dataclass
class RepoFiles:
    """Repository-relative access to the files of one scanned root."""

    root: Path
    files: Sequence[Path] = ()
    max_size: int = DEFAULT_MAX_FILE_SIZE
    by_relative: dict[str, Path] = field(default_factory=dict, init=False)
    _texts: dict[str, str | None] = field(default_factory=dict, init=False)
    _parsed: dict[tuple[str, str], Any] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for path in self.files:
            self.by_relative[self.relative(path)] = path

    def relative(self, path: Path) -> str:
        """`path` relative to the root, POSIX style."""
        try:
            return Path(os.path.relpath(path, self.root)).as_posix()
        except ValueError:  # another drive on Windows
            return path.as_posix()

    def display(self, relative: str) -> str:
        """The path to show for a repository-relative file (as the walker gave it, if it did)."""
        known = self.by_relative.get(relative)
        return str(known) if known is not None else str(self.root / relative)

    def exists(self, relative: str | None) -> bool:
        """Whether a regular file exists at that repository-relative path."""
        if relative is None:
            return False
        if relative in self.by_relative:
            return True
        try:
            return (self.root / relative).is_file()
        except OSError:
            return False

    def is_dir(self, relative: str | None) -> bool:
        """Whether a directory exists at that repository-relative path."""
        if relative is None:
            return False
        try:
            return (self.root / relative).is_dir() if relative else True
        except OSError:
            return False

    def read(self, relative: str | None, limit: int | None = None) -> str | None:
        """The text of a repository file, or None when missing, too large, binary or unreadable."""
        if relative is None:
            return None
        if relative in self._texts:
            return self._texts[relative]
        text: str | None = None
        if self.exists(relative):
            path = self.by_relative.get(relative, self.root / relative)
            try:
                text = read_text(path, min(limit or self.max_size, self.max_size))
            except FileReadError:
                text = None
        self._texts[relative] = text
        return text

    def glob(self, pattern: str) -> list[str]:
        """Walked files matching a repository-relative glob (`*` and `**`)."""
        pattern = pattern.lstrip("/")
        simple = pattern.replace("**/", "")
        return sorted(
            r
            for r in self.by_relative
            if fnmatch.fnmatchcase(r, pattern) or fnmatch.fnmatchcase(r, simple)
        )

    def cached(self, kind: str, relative: str, build: Any) -> Any:
        """Parse a file once per kind ("makefile", "package.json", ...)."""
        key = (kind, relative)
        if key not in self._parsed:
            self._parsed[key] = build()
        return self._parsed[key]

    def makefile(self, directory: str, name: str | None = None) -> Makefile | None:
        """The Makefile of a repository directory (or the named one), parsed."""
        names = [name] if name else ["GNUmakefile", "makefile", "Makefile"]
        for candidate in names:
            relative = join(directory, candidate)
            text = self.read(relative, AUX_MAX_SIZE)
            if text is not None and relative is not None:
                return self.cached(
                    "makefile", relative, lambda t=text, r=relative: _with_includes(self, t, r)
                )
        return None


def _with_includes(repo: RepoFiles, text: str, relative: str, depth: int = 0) -> Makefile:
    """Parse a Makefile plus the files it `include`s (literal paths and globs, 3 levels)."""
    result = parse_makefile(text, relative)
    if depth >= 3:
        return result
    directory = posixpath.dirname(relative)
    for line in text.split("\n"):
        words = line.split()
        if not words or words[0] not in ("include", "-include", "sinclude"):
            continue
        for pattern in words[1:]:
            pattern = result.expand(pattern)
            if "$" in pattern:
                continue
            base = join(directory, pattern)
            if base is None:
                continue
            matches = repo.glob(base) if any(c in base for c in "*?[") else [base]
            for match in matches[:20]:
                included = repo.read(match, AUX_MAX_SIZE)
                if included is None:
                    continue
                sub = _with_includes(repo, included, match, depth + 1)
                for name, value in sub.variables.items():
                    result.variables.setdefault(name, value)
                for name, target in sub.targets.items():
                    result.targets.setdefault(name, target)
                result.patterns.extend(sub.patterns)
    return result
