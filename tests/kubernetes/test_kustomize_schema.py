"""The light Kustomize schema: read from the renderer's own binary, same builds, cheaper."""

from __future__ import annotations

import json
import shutil
import zlib
from pathlib import Path

import pytest

from cnmm.collect import kustomize
from cnmm.collect.kustomize_schema import light_schema, light_schema_file
from cnmm.collect.manifests import ManifestOptions, collect_manifests
from tests.kubernetes.test_render import needs_kubectl

BASE_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      tolerations: [{key: a, operator: Exists}]
      volumes: [{name: data, emptyDir: {}}, {name: cache, emptyDir: {}}]
      containers:
      - name: web
        image: nginx:1.25
        args: [--one, --two]
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
        ports: [{containerPort: 80, protocol: TCP}]
        volumeMounts: [{name: data, mountPath: /data}]
      - name: sidecar
        image: busybox:1.36
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80, protocol: TCP, name: http}, {port: 443, protocol: TCP, name: https}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  parts: [{name: a, size: 1}, {name: b, size: 2}]
"""

PATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      tolerations: [{key: b, operator: Exists}]
      volumes: [{name: cache, $patch: delete}, {name: tmp, emptyDir: {}}]
      containers:
      - name: web
        args: [--three]
        env: [{name: B, value: "two"}, {name: C, value: "3"}]
        ports: [{containerPort: 8080}]
        volumeMounts: [{name: tmp, mountPath: /tmp}]
      - {name: sidecar, $patch: delete}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 443, protocol: TCP, name: tls}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  parts: [{name: b, size: 3}]
"""


@pytest.fixture
def command() -> list[str]:
    """The Kustomize renderer on this machine (`kubectl kustomize`)."""
    found = kustomize.find_renderer()
    assert found is not None
    return found


def _kubectl_binary() -> bytes:
    found = kustomize.find_renderer()
    assert found is not None
    path = shutil.which(found[0])
    assert path is not None
    return Path(path).read_bytes()


@needs_kubectl
def test_the_light_schema_is_read_from_the_renderers_own_binary() -> None:
    schema = light_schema(_kubectl_binary())
    assert schema is not None
    assert schema["info"]["title"] == "Kubernetes"
    definitions = schema["definitions"]
    containers = definitions["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert containers["items"] == {"$ref": "#/definitions/io.k8s.api.core.v1.Container"}
    assert {"group": "apps", "kind": "Deployment", "version": "v1"} in definitions[
        "io.k8s.api.apps.v1.Deployment"
    ]["x-kubernetes-group-version-kind"]
    # Descriptions (most of the built-in schema's bytes) are what made it slow to read.
    assert not list(_descriptions(definitions))


def _descriptions(node: object, inside_properties: bool = False):
    """Every `description` a schema tree holds (property names are not descriptions)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and not inside_properties:
                yield value
            yield from _descriptions(value, key == "properties")
    elif isinstance(node, list):
        for item in node:
            yield from _descriptions(item)


@needs_kubectl
def test_binaries_without_exactly_one_schema_have_none() -> None:
    binary = _kubectl_binary()
    start = _document_start(binary)
    assert light_schema(b"") is None
    assert light_schema(b"\x1f\x8b\x08" + b"\0" * 100) is None  # not a gzip stream at all
    assert light_schema(zlib.compress(b"something else", wbits=31)) is None
    assert light_schema(binary[: start + 5000]) is None  # the document cut short
    assert light_schema(binary + binary[start:]) is None  # two: which one is used?


def _document_start(binary: bytes) -> int:
    at = binary.find(b"\x1f\x8b\x08")
    while at >= 0:
        try:
            head = zlib.decompressobj(wbits=31).decompress(binary[at : at + 4096], 16)
        except zlib.error:
            head = b""
        if head.startswith(b"\n\x032.0"):
            return at
        at = binary.find(b"\x1f\x8b\x08", at + 1)
    raise AssertionError("no OpenAPI document in kubectl")


def _tree(root: Path, own_schema: bool = False) -> Path:
    base, overlay = root / "base", root / "overlay"
    base.mkdir(parents=True)
    overlay.mkdir()
    (base / "all.yaml").write_text(BASE_DEPLOYMENT)
    (base / "kustomization.yaml").write_text("resources: [all.yaml]\n")
    (overlay / "patch.yaml").write_text(PATCH)
    (overlay / "kustomization.yaml").write_text(
        "resources: [../base]\nnamespace: shop\nimages: [{name: nginx, newTag: '1.27'}]\n"
        "labels: [{pairs: {team: a}, includeSelectors: false}]\n"
        "patches:\n- path: patch.yaml\n"
        "- {path: service-type.yaml, target: {kind: Service}}\n"
    )
    (overlay / "service-type.yaml").write_text("- {op: add, path: /spec/type, value: NodePort}\n")
    return overlay


@needs_kubectl
def test_builds_with_the_light_schema_are_the_builds_with_the_built_in_one(
    tmp_path: Path, command: list[str]
) -> None:
    overlay = _tree(tmp_path)
    light = light_schema_file(command, tmp_path / "cache")
    assert light is not None
    built_in, reason = kustomize.render(command, overlay)
    assert reason is None
    with_light, reason = kustomize.render(command, overlay, schema=light)
    assert reason is None

    def data(objects: list) -> list[tuple[str, str, str]]:
        return sorted((o.kind, o.path, json.dumps(o.body, sort_keys=True)) for o in objects)

    assert data(with_light) == data(built_in)
    # The patch merged lists by their keys (a schema without them replaces the lists):
    deployment = next(o for o in with_light if o.kind == "Deployment").body
    spec = deployment["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["containers"]] == ["web"]
    assert [e["name"] for e in spec["containers"][0]["env"]] == ["B", "C", "A"]
    assert [v["name"] for v in spec["volumes"]] == ["tmp", "data"]
    assert spec["tolerations"] == [{"key": "b", "operator": "Exists"}]  # atomic: replaced
    assert spec["containers"][0]["args"] == ["--three"]
    service = next(o for o in with_light if o.kind == "Service").body
    assert [p["name"] for p in service["spec"]["ports"]] == ["http", "tls"]
    empty = tmp_path / "empty.json"
    empty.write_text('{"swagger": "2.0", "definitions": {}}')
    without_keys, _reason = kustomize.render(command, overlay, schema=empty)
    assert data(without_keys) != data(built_in)  # so the comparison above can fail


@needs_kubectl
def test_a_kustomization_naming_its_own_schema_keeps_it(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "widget.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n"
        "spec:\n  slots: [{id: one, v: 1}, {id: two, v: 2}]\n"
    )
    (root / "patch.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n"
        "spec:\n  slots: [{id: two, v: 20}]\n"
    )
    (root / "schema.json").write_text(
        json.dumps(
            {
                "definitions": {
                    "com.example.v1.Gadget": {
                        "x-kubernetes-group-version-kind": [
                            {"group": "example.com", "kind": "Gadget", "version": "v1"}
                        ],
                        "properties": {"spec": {"$ref": "#/definitions/com.example.v1.Spec"}},
                    },
                    "com.example.v1.Spec": {
                        "properties": {
                            "slots": {
                                "type": "array",
                                "items": {"type": "object"},
                                "x-kubernetes-patch-merge-key": "id",
                                "x-kubernetes-patch-strategy": "merge",
                            }
                        }
                    },
                }
            }
        )
    )
    (root / "kustomization.yaml").write_text(
        "resources: [widget.yaml]\npatches: [{path: patch.yaml}]\nopenapi: {path: schema.json}\n"
    )
    collection = collect_manifests([tmp_path], ManifestOptions())
    (gadget,) = collection.rendered
    # Merged by `id`, as the user's schema says (without it, the list would be replaced).
    slots = sorted(gadget.body["spec"]["slots"], key=lambda slot: slot["id"])
    assert slots == [{"id": "one", "v": 1}, {"id": "two", "v": 20}]


@needs_kubectl
def test_the_light_schema_is_made_once_per_renderer_binary(
    tmp_path: Path, command: list[str]
) -> None:
    cache = tmp_path / "cache"
    first = light_schema_file(command, cache)
    assert first is not None and first.is_relative_to(cache)
    made = first.stat().st_mtime_ns
    assert light_schema_file(command, cache) == first
    assert first.stat().st_mtime_ns == made  # read from the cache, not made again
    # Another binary (an upgraded kubectl) gets its own.
    program = shutil.which(command[0])
    assert program is not None
    other = tmp_path / "bin" / "kubectl"
    other.parent.mkdir()
    shutil.copy2(program, other)
    other.touch()
    second = light_schema_file([str(other), "kustomize"], cache)
    assert second is not None and second != first
    assert json.loads(second.read_text()) == json.loads(first.read_text())
    # A renderer without one is remembered as such, and builds use the built-in schema.
    script = tmp_path / "bin" / "kustomize"
    script.write_text("#!/bin/sh\nexit 1\n")
    script.chmod(0o755)
    assert light_schema_file([str(script), "build"], cache) is None
    assert light_schema_file([str(script), "build"], cache) is None
    assert len(list((cache / "kustomize-schema").iterdir())) == 3


@needs_kubectl
def test_without_a_cache_builds_use_the_built_in_schema(tmp_path: Path, command: list[str]) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache directory would go")
    assert light_schema_file(command, blocked) is None
    overlay = _tree(tmp_path / "t")
    objects, status = kustomize.render_all({overlay: {"resources": ["../base"]}}, command=command)
    assert status["status"] == "ok" and len(objects) == 3


@needs_kubectl
def test_a_light_schema_gone_from_the_cache_falls_back_to_the_built_in_one(
    tmp_path: Path, command: list[str]
) -> None:
    overlay = _tree(tmp_path)
    objects, reason = kustomize.render(command, overlay, schema=tmp_path / "gone.json")
    assert reason is None
    built_in, _reason = kustomize.render(command, overlay)
    assert sorted(o.kind for o in objects) == sorted(o.kind for o in built_in)
    assert [o.body for o in objects if o.kind == "Deployment"] == [
        o.body for o in built_in if o.kind == "Deployment"
    ]


@needs_kubectl
def test_a_damaged_cached_schema_is_made_again(tmp_path: Path, command: list[str]) -> None:
    cache = tmp_path / "cache"
    made = light_schema_file(command, cache)
    assert made is not None
    good = made.read_text()
    made.write_text(good[: len(good) // 2])  # a disk that filled up, say
    again = light_schema_file(command, cache)
    assert again == made and again.read_text() == good
