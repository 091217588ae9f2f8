"""A light copy of the OpenAPI schema built into kustomize, which makes its builds cheaper.

Kustomize carries the Kubernetes API schema (v1.21.2 in kustomize 5) to know how strategic
merge patches merge lists: containers by `name`, ports by `containerPort`, and so on. Every
build that applies such a patch first decodes the whole schema, descriptions included, and
that is about 0.1 CPU-second per `kubectl kustomize` process: more than half of a typical
overlay's build (benchmarks/README.md).

A kustomization may name its own schema (`openapi: {path: ...}`), which then replaces the
built-in one. This module reads the built-in schema out of the renderer's own binary (where
it is a gzip-compressed protobuf document), keeps only what kustomize reads from it
(`$ref`, `type`, `items`, `properties`, `additionalProperties`, `allOf` and the
`x-kubernetes-*` extensions: merge keys, patch strategies, group-version-kinds), and saves
it as JSON in the user's cache directory, keyed by the binary. The build wrapper then names
that file. The merge information is the renderer's own, so builds give the same output
(tests compare both ways byte for byte); only descriptions and validation details, which
kustomize never reads, are left out.

Whenever this cannot be done with certainty (a renderer whose binary holds no such document
or several, an unreadable binary, a cache that cannot be written), there is no light schema
and builds use the built-in one as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

_GZIP_MAGIC = b"\x1f\x8b\x08"
# An OpenAPI v2 document as protobuf starts with field 1 (`swagger`) = "2.0", then field 2
# (`info`) whose title is "Kubernetes".
_DOCUMENT_HEAD = b"\n\x032.0\x12"
_TITLE = b"\n\nKubernetes"
_MAX_DOCUMENT = 64 * 1024 * 1024
_NONE_MARK = "none"  # cached: this binary has no usable schema


class _Truncated(ValueError):
    """Protobuf data that ends inside a field."""


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data):
            raise _Truncated("varint")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def _fields(data: bytes) -> Iterator[tuple[int, Any]]:
    """(field number, value) of one protobuf message: ints for varints, bytes otherwise."""
    at, end = 0, len(data)
    while at < end:
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        value: Any
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 2:
            length, at = _varint(data, at)
            value, at = data[at : at + length], at + length
        elif wire == 1:
            value, at = data[at : at + 8], at + 8
        elif wire == 5:
            value, at = data[at : at + 4], at + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if at > end:
            raise _Truncated("field")
        yield number, value


def _named(data: bytes) -> tuple[str, bytes]:
    """A gnostic NamedSchema / NamedAny: (name = 1, value = 2)."""
    name, value = "", b""
    for number, field in _fields(data):
        if number == 1:
            name = field.decode()
        elif number == 2:
            value = field
    return name, value


def _extension(data: bytes) -> Any:
    """A gnostic Any: its `yaml` text (field 2), parsed."""
    for number, field in _fields(data):
        if number == 2:
            return yaml.load(field.decode(), Loader=yaml.CSafeLoader)
    return None


def _schema(data: bytes) -> dict[str, Any]:
    """The parts of a gnostic OpenAPI v2 Schema message that kustomize reads, as JSON."""
    out: dict[str, Any] = {}
    for number, field in _fields(data):
        if number == 1:
            out["$ref"] = field.decode()
        elif number == 21:  # additionalProperties: a schema (1) or a boolean (2)
            for inner, value in _fields(field):
                out["additionalProperties"] = _schema(value) if inner == 1 else bool(value)
        elif number == 22:  # type: repeated string
            types = [value.decode() for inner, value in _fields(field) if inner == 1]
            out["type"] = types[0] if len(types) == 1 else types
        elif number == 23:  # items: repeated schema
            items = [_schema(value) for inner, value in _fields(field) if inner == 1]
            out["items"] = items[0] if len(items) == 1 else items
        elif number == 24:
            out.setdefault("allOf", []).append(_schema(field))
        elif number == 25:  # properties: repeated NamedSchema
            named = (_named(value) for inner, value in _fields(field) if inner == 1)
            out["properties"] = {name: _schema(value) for name, value in named}
        elif number == 31:  # vendor extensions: x-kubernetes-patch-merge-key, ...
            name, value = _named(field)
            out[name] = _extension(value)
    return out


def _documents(binary: bytes) -> Iterator[bytes]:
    """Every gzip stream in `binary` that holds a Kubernetes OpenAPI v2 protobuf document."""
    view = memoryview(binary)  # slices of a memoryview copy nothing
    at = binary.find(_GZIP_MAGIC)
    while at >= 0:
        with contextlib.suppress(zlib.error):
            # Most candidates are other data: their first bytes tell.
            head = zlib.decompressobj(wbits=31).decompress(view[at : at + 4096], 64)
            if head.startswith(_DOCUMENT_HEAD) and _TITLE in head:
                stream = zlib.decompressobj(wbits=31)
                document = stream.decompress(view[at : at + _MAX_DOCUMENT])
                if stream.eof:
                    yield document
        at = binary.find(_GZIP_MAGIC, at + 1)


def light_schema(binary: bytes) -> dict[str, Any] | None:
    """The light schema (see the module docstring) of the one Kubernetes OpenAPI document
    embedded in a renderer's `binary`; None unless there is exactly one and it decodes."""
    found = list(_documents(binary))
    if len(found) != 1:
        return None  # none, or several versions: which one is in use cannot be told
    document: dict[str, Any] = {"swagger": "2.0", "definitions": {}}
    try:
        for number, field in _fields(found[0]):
            if number == 2:  # info: title (1), version (2)
                info = {inner: value.decode() for inner, value in _fields(field)}
                document["info"] = {"title": info.get(1, ""), "version": info.get(2, "")}
            elif number == 9:  # definitions: repeated NamedSchema
                for inner, value in _fields(field):
                    if inner == 1:
                        name, schema = _named(value)
                        document["definitions"][name] = _schema(schema)
    except (ValueError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return document if document["definitions"] else None


def cache_directory() -> Path:
    """Where cnmm keeps what it derives from tools on this machine (never in a repository)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "cnmm"


def _cached(target: Path) -> tuple[bool, Path | None]:
    """(readable, the schema file or None for a cached "none") of a cache entry. A damaged
    one is not readable and is made again: kustomize stops with a panic on a schema it
    cannot read."""
    try:
        text = target.read_text(encoding="utf-8")
        if text == _NONE_MARK:
            return True, None
        document = json.loads(text)
    except (OSError, ValueError):
        return False, None
    usable = isinstance(document, dict) and bool(document.get("definitions"))
    return (True, target) if usable else (False, None)


def light_schema_file(command: Sequence[str], cache: Path | None = None) -> Path | None:
    """The light schema of the renderer `command` runs (`[kubectl, "kustomize"]`), as a
    file in the cache (`cache_directory()` by default), made on first use; None when there
    is none (see the module docstring)."""
    program = shutil.which(command[0]) if command else None
    if program is None:
        return None
    real = os.path.realpath(program)
    try:
        status = os.stat(real)
    except OSError:
        return None
    key = hashlib.sha256(f"{real}\0{status.st_size}\0{status.st_mtime_ns}".encode()).hexdigest()
    folder = (cache or cache_directory()) / "kustomize-schema"
    target = folder / f"{key[:32]}.json"
    if target.is_file():
        readable, found = _cached(target)
        if readable:
            return found
    try:
        with open(real, "rb") as handle:
            document = light_schema(handle.read())
        folder.mkdir(parents=True, exist_ok=True)
        text = _NONE_MARK if document is None else json.dumps(document, separators=(",", ":"))
        # Written aside and renamed: a scan running at the same time never reads half a file.
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as out:
            out.write(text)
        os.replace(out.name, target)
    except OSError:
        return None
    return None if document is None else target
