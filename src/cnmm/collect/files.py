"""Walking directories and reading files safely.

What is skipped: `.git`, `node_modules`, `vendor` and similar trees; anything matched by
`--exclude` globs or a `.cnmmignore` (gitignore-like: `#` comments, `!` negation, trailing `/`
for directories, a leading `/` anchors to the file's directory); with `--include` globs only
matching files are read.

What becomes a `FileError` (path + reason), never an exception: files over the size limit,
binary files, invalid UTF-8, unreadable files (I/O errors, FIFOs and other non-regular files),
symlink loops (a symlink chain that never ends, or a directory symlink leading back into a
directory being walked).
"""

from __future__ import annotations

import codecs
import errno
import fnmatch
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cnmm.facts import FileError

SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "vendor", "third_party", ".terraform", ".venv",
     "venv", "__pycache__", ".tox", ".mypy_cache", ".pytest_cache"}
)  # fmt: skip
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
IGNORE_FILE = ".cnmmignore"
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024


class FileReadError(Exception):
    """A file that cannot be used; `reason` is for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WalkOptions:
    """Filters for walking: globs, size limit, which file suffixes are wanted."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    suffixes: tuple[str, ...] = MANIFEST_SUFFIXES


@dataclass
class Walk:
    """What a walk found: files to read, directories seen, and per-path errors."""

    files: list[Path] = field(default_factory=list)
    directories: list[Path] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)


@dataclass(frozen=True)
class _IgnoreRule:
    base: Path
    pattern: str
    negate: bool
    dir_only: bool
    anchored: bool

    def matches(self, path: Path, is_dir: bool) -> bool:
        if self.dir_only and not is_dir:
            return False
        try:
            relative = path.relative_to(self.base).as_posix()
        except ValueError:
            return False
        if self.anchored or "/" in self.pattern:
            return fnmatch.fnmatchcase(relative, self.pattern) or fnmatch.fnmatchcase(
                relative, self.pattern.replace("**/", "")
            )
        return fnmatch.fnmatchcase(path.name, self.pattern)


def _read_ignore_file(directory: Path) -> list[_IgnoreRule]:
    try:
        text = (directory / IGNORE_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    rules: list[_IgnoreRule] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        line = line.removeprefix("!")
        dir_only = line.endswith("/")
        line = line.rstrip("/")
        anchored = line.startswith("/")
        line = line.lstrip("/")
        if line:
            rules.append(_IgnoreRule(directory, line, negate, dir_only, anchored))
    return rules


def _ignored(path: Path, is_dir: bool, rules: Iterable[_IgnoreRule]) -> bool:
    ignored = False
    for item in rules:  # last match wins, as in .gitignore
        if item.matches(path, is_dir):
            ignored = not item.negate
    return ignored


def _glob_match(relative: str, patterns: Iterable[str]) -> bool:
    name = relative.rpartition("/")[2]
    return any(
        fnmatch.fnmatchcase(relative, p) or fnmatch.fnmatchcase(name, p)
        or fnmatch.fnmatchcase(relative, p.replace("**/", ""))
        for p in patterns
    )  # fmt: skip


def _display(path: Path) -> str:
    return str(path)


def walk(paths: Iterable[Path], options: WalkOptions) -> Walk:
    """Collect the files under `paths` that should be read, with errors for bad entries.

    Explicitly named files are always read (filters apply to what a directory walk finds).
    A path reached twice (`cnmm scan repo repo/config`, or one path named twice) is listed
    once, as first reached, and a linked directory whose target is inside a scanned path is
    not followed: objects are not counted twice. Links to files are paths of their own.
    """
    result = Walk()
    paths = list(paths)
    # A linked directory whose target the walk reaches anyway is not walked twice.
    scanned = tuple(os.path.realpath(p) for p in paths if p.is_dir())
    for root in paths:
        try:
            info = root.stat()
        except OSError as exc:
            result.errors.append(FileError(_display(root), _os_reason(exc)))
            continue
        if stat.S_ISDIR(info.st_mode):
            result.directories.append(root)
            _walk_dir(root, root, options, [], {(info.st_dev, info.st_ino)}, result, scanned)
        else:
            result.files.append(root)
    # By absolute path, not by inode: a symlink is a path of its own, as for kustomize.
    result.files = _first_of_each(result.files)
    result.directories = _first_of_each(result.directories)
    return result


def is_within(real: str, roots: Sequence[str]) -> bool:
    """Whether the resolved path `real` is one of `roots` or lies below one."""
    return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _first_of_each(paths: list[Path]) -> list[Path]:
    seen: set[str] = set()
    unique = []
    for path in paths:
        key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "no such file or directory (or a dangling symlink)"
    return f"cannot read: {exc.strerror or exc}"


def _walk_dir(
    root: Path,
    directory: Path,
    options: WalkOptions,
    inherited: list[_IgnoreRule],
    ancestors: set[tuple[int, int]],
    result: Walk,
    scanned: tuple[str, ...] = (),
) -> None:
    rules = inherited + _read_ignore_file(directory)
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        result.errors.append(FileError(_display(directory), _os_reason(exc)))
        return
    for entry in entries:
        path = Path(entry.path)
        relative = path.relative_to(root).as_posix()
        try:
            is_dir = entry.is_dir()  # follows symlinks
        except OSError as exc:
            result.errors.append(FileError(_display(path), _os_reason(exc)))
            continue
        if is_dir:
            if entry.name in SKIPPED_DIRS or _ignored(path, True, rules):
                continue
            if options.exclude and _glob_match(relative, options.exclude):
                continue
            try:
                info = entry.stat()
            except OSError as exc:
                result.errors.append(FileError(_display(path), _os_reason(exc)))
                continue
            key = (info.st_dev, info.st_ino)
            if key in ancestors:
                result.errors.append(
                    FileError(_display(path), "symlink loop (leads back to a parent directory)")
                )
                continue
            if entry.is_symlink() and is_within(os.path.realpath(path), scanned):
                # Its files are read where they really are (a chart's `crds/` linked to the
                # repository's CRD folder): read twice, they would count twice.
                continue
            result.directories.append(path)
            _walk_dir(root, path, options, rules, ancestors | {key}, result, scanned)
            continue
        if not entry.name.lower().endswith(options.suffixes) or entry.name == IGNORE_FILE:
            continue
        if _ignored(path, False, rules):
            continue
        if options.exclude and _glob_match(relative, options.exclude):
            continue
        if options.include and not _glob_match(relative, options.include):
            continue
        result.files.append(path)


def read_text(path: Path, max_size: int) -> str:
    """The UTF-8 text of a file; FileReadError for anything that is not readable text."""
    return decode(read_bytes(path, max_size))


def read_bytes(path: Path, max_size: int) -> bytes:
    """The bytes of a regular file of at most `max_size` bytes; FileReadError otherwise
    (FIFOs and devices are refused before they are opened: reading them could block)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise FileReadError(_os_reason(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "not a regular file"
        if stat.S_ISDIR(info.st_mode):
            kind = "a directory"
        raise FileReadError(f"cannot read: {kind}")
    if info.st_size > max_size:
        raise FileReadError(f"file too large: {info.st_size} bytes (limit {max_size})")
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_size + 1)
    except OSError as exc:
        raise FileReadError(_os_reason(exc)) from None
    if len(raw) > max_size:  # st_size can lie (procfs, growing files)
        raise FileReadError(f"file too large: over {max_size} bytes")
    return raw


def decode(raw: bytes) -> str:
    """Bytes -> text, refusing binary data and invalid UTF-8 (a BOM is allowed). A UTF-16
    byte order mark means UTF-16 text, as for kubectl (Windows tools write such files)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not raw.startswith(
        codecs.BOM_UTF32_LE
    ):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileReadError(f"invalid UTF-16 (byte offset {exc.start})") from None
    if b"\x00" in raw[:8192]:
        raise FileReadError("binary file (contains NUL bytes), not YAML/JSON")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileReadError(f"invalid UTF-8 (byte offset {exc.start})") from None
