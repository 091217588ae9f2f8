"""Bad input never stops a scan: each problem is a file error with its path and reason."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cnmm.scan import ScanRequest, run_scan

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "nginx:1.25"}
"""
ALIAS_BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def _errors(tmp_path: Path) -> dict[str, str]:
    result = run_scan(ScanRequest(paths=(str(tmp_path),)))
    return {Path(e.path).name: e.reason for e in result.errors}


def _cnmm(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cnmm", *args], capture_output=True, text=True, input=stdin,
        timeout=120, check=False,
    )  # fmt: skip


def test_acceptance_alias_bomb_binary_and_one_deployment(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(ALIAS_BOMB)
    (tmp_path / "binary.yaml").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT)
    done = _cnmm("scan", str(tmp_path), "--format", "json")
    assert done.returncode == 3, done.stderr
    data = json.loads(done.stdout)
    assert data["schema"] == "cnmm/scan/v1"
    errors = {Path(e["path"]).name: e["reason"] for e in data["errors"]}
    assert set(errors) == {"bomb.yaml", "binary.yaml"}
    assert "alias" in errors["bomb.yaml"] and "binary" in errors["binary.yaml"]
    assert data["inventory"]["workloads"]["total"] == 1
    assert data["summary"]["exit_code"] == 3 and data["findings"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("malformed.yaml", "apiVersion: v1\nkind: [ConfigMap\n", "invalid YAML"),
        ("tabs.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n", "invalid YAML"),
        ("dupe.yaml", "apiVersion: v1\nkind: ConfigMap\nkind: Secret\n", "duplicate key 'kind'"),
        (
            "template.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: {{ .ns }}\n",
            "template placeholder such as {{ ... }}?) (line 4)",
        ),
        (
            "jinja.yaml",
            "{% raw %}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n{% endraw %}\n",
            "invalid YAML: line 1 holds an unrendered template tag ({% raw %}); found character",
        ),
        (
            "control.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n{{- if .Values.a }}\n"
            "  labels: {a: b}\n{{- end }}\n",
            "line 5 holds an unrendered template tag ({{- if .Values.a }}); ",
        ),
        (
            "comment.yaml",  # as istio's zzz_profile.yaml: a Go template comment over lines
            "{{/*\nWARNING: generated, do not edit.\n*/}}\napiVersion: v1\n",
            "line 1 holds an unrendered template tag ({{/*); ",
        ),
        (
            "long-tag.yaml",  # as cloud-on-k8s's config/e2e: a tag longer than the quote
            'a: b\nmanagedNamespaces: [{{ .Operator.ManagedNamespaces | join "," }}]\nc: d\n',
            "line 2 holds an unrendered template tag ({{ .Operator.ManagedNamespaces | join...); ",
        ),
        ("deep.yaml", "x: " + "[" * 100_000 + "]" * 100_000 + "\n", "nesting deeper"),
        ("deep-block.yaml", "".join(" " * i + f"k{i}:\n" for i in range(700)) + "\n", "nesting"),
        ("bomb.yaml", ALIAS_BOMB, "alias"),
    ],
    # Short ids: pytest puts the id in PYTEST_CURRENT_TEST, and a 200 kB environment
    # variable makes every subprocess (git, kubectl) fail with "argument list too long".
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else "-",
)
def test_text_problems(tmp_path: Path, name: str, content: str, reason: str) -> None:
    (tmp_path / name).write_text(content)
    (tmp_path / "ok.yaml").write_text(DEPLOYMENT)
    errors = _errors(tmp_path)
    assert list(errors) == [name] and reason in errors[name], errors


def test_binary_invalid_utf8_and_size_limit(tmp_path: Path) -> None:
    (tmp_path / "bin.yaml").write_bytes(b"\x00\x01\x02kind: x")
    (tmp_path / "latin1.yaml").write_bytes("kind: Caf\xe9\n".encode("latin-1"))
    (tmp_path / "big.yaml").write_text("# " + "x" * 2000 + "\n")
    result = run_scan(ScanRequest(paths=(str(tmp_path),), max_file_size=1000))
    errors = {Path(e.path).name: e.reason for e in result.errors}
    assert "binary" in errors["bin.yaml"]
    assert "UTF-8" in errors["latin1.yaml"]
    assert errors["big.yaml"] == "file too large: 2003 bytes (limit 1000)"
    # The limit also comes from cnmm.yaml (scan.max_file_size); the default is 10 MiB.
    (tmp_path / "cnmm.yaml").write_text("scan: {max_file_size: 1500}\n")
    done = _cnmm("scan", str(tmp_path), "--format", "json")
    errors = {Path(e["path"]).name: e["reason"] for e in json.loads(done.stdout)["errors"]}
    assert errors["big.yaml"] == "file too large: 2003 bytes (limit 1500)"


@pytest.mark.timeout(60)  # a collector that opens the FIFO blocks forever: fail, not hang
def test_unreadable_files(tmp_path: Path) -> None:
    # Tests run as root, so permissions cannot make a file unreadable: a FIFO and a file
    # whose read fails with EIO (/proc/self/mem at offset 0) are genuinely unreadable.
    os.mkfifo(tmp_path / "fifo.yaml")
    (tmp_path / "eio.yaml").symlink_to("/proc/self/mem")
    (tmp_path / "ok.yaml").write_text(DEPLOYMENT)
    errors = _errors(tmp_path)
    assert "FIFO" in errors["fifo.yaml"]
    assert "cannot read" in errors["eio.yaml"] or "too large" in errors["eio.yaml"]


def test_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "up").symlink_to(tmp_path)
    (tmp_path / "ok.yaml").write_text(DEPLOYMENT)
    result = run_scan(ScanRequest(paths=(str(tmp_path),)))
    reasons = {Path(e.path).name: e.reason for e in result.errors}
    assert "symlink loop" in reasons["a.yaml"] and "symlink loop" in reasons["up"]
    assert len(result.facts.kubernetes.workloads) == 1  # type: ignore[union-attr]


def test_a_linked_directory_inside_the_scan_is_read_once(tmp_path: Path) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / "config" / "crd").mkdir(parents=True)
    (repo / "chart").mkdir()
    outside.mkdir()
    (repo / "config" / "crd" / "web.yaml").write_text(DEPLOYMENT)
    (repo / "chart" / "crds").symlink_to(repo / "config" / "crd")  # inside: read once
    (outside / "other.yaml").write_text(DEPLOYMENT.replace("name: web", "name: other"))
    (repo / "extra").symlink_to(outside)  # outside the scan: followed
    result = run_scan(ScanRequest(paths=(str(repo),)))
    assert result.errors == []
    paths = sorted(os.path.relpath(o.path, repo) for o in result.plain_objects)
    assert paths == ["config/crd/web.yaml", "extra/other.yaml"]


def test_nothing_readable_exits_4(tmp_path: Path) -> None:
    done = _cnmm("scan", str(tmp_path / "missing.yaml"), "--format", "json")
    assert done.returncode == 4
    assert json.loads(done.stdout)["fatal"].startswith("no readable input")


def test_application_tags_are_valid_yaml(tmp_path: Path) -> None:
    # mkdocs, CloudFormation and GitLab CI files use tags of their own: valid YAML, no error.
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: docs\nextra: {analytics: !ENV [ANALYTICS_ID, none]}\n"
        "emoji: !!python/name:material.extensions.emoji.twemoji\n"
    )
    (tmp_path / "stack.yaml").write_text("Resources:\n  Bucket: {Name: !Sub '${AWS::StackName}'}\n")
    (tmp_path / "tagged.yaml").write_text(DEPLOYMENT.replace("name: web,", "name: !web web,"))
    result = run_scan(ScanRequest(paths=(str(tmp_path),)))
    assert result.errors == []
    (workload,) = result.facts.kubernetes.workloads  # type: ignore[union-attr]
    assert workload.name == "web"


def test_json_streams_and_json_with_comments(tmp_path: Path) -> None:
    # kubectl reads JSON values one after another; devcontainer.json, tsconfig.json and
    # VS Code settings are JSON with comments and trailing commas. Neither is bad input.
    (tmp_path / ".devcontainer").mkdir()
    (tmp_path / ".devcontainer" / "devcontainer.json").write_text(
        '{\n  // the image\n  "image": "mcr.microsoft.com/devcontainers/go:1",\n'
        '  /* "features": {"x": 1}, */\n  "runArgs": ["--init",],\n}\n'
    )
    (tmp_path / "stream.json").write_text(
        '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}\n'
        '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b//c"}}\n'
    )
    (tmp_path / "broken.json").write_text('{"apiVersion": "v1",\n "kind" "ConfigMap"}\n')
    result = run_scan(ScanRequest(paths=(str(tmp_path),)))
    errors = {Path(e.path).name: e.reason for e in result.errors}
    assert list(errors) == ["broken.json"] and "line 2" in errors["broken.json"], errors
    assert [(o.name, o.line) for o in result.plain_objects] == [("a", 1), ("b//c", 2)]


def test_json_with_comments_before_the_first_value(tmp_path: Path) -> None:
    # kedacore/keda's devcontainer.json opens with `//` comment lines and indents with tabs
    # (which YAML refuses): still JSON with comments, not bad input.
    (tmp_path / "devcontainer.json").write_text(
        "// For format details, see the devcontainer docs\n/* more */\n"
        '{\n\t"name": "Go",\n\t"runArgs": [\n\t\t// "-u", "vscode",\n\t\t"--init",\n\t],\n}\n'
    )
    (tmp_path / "cm.json").write_text(
        '// a ConfigMap\n{"apiVersion": "v1", "kind": "ConfigMap",\n\t"metadata": {"name": "c"}}\n'
    )
    (tmp_path / "comment-only.json").write_text("// nothing but a comment\n\tx: [\n")
    result = run_scan(ScanRequest(paths=(str(tmp_path),)))
    errors = {Path(e.path).name: e.reason for e in result.errors}
    assert list(errors) == ["comment-only.json"], errors
    assert [(o.name, o.line) for o in result.plain_objects] == [("c", 2)]


def test_utf16_with_a_byte_order_mark_is_text(tmp_path: Path) -> None:
    # kubectl reads UTF-16 files that start with a byte order mark (Windows editors write
    # them); they are not binary files.
    (tmp_path / "little.yaml").write_bytes(DEPLOYMENT.replace("\n", "\r\n").encode("utf-16"))
    namespace = "kind: Namespace\napiVersion: v1\nmetadata: {name: shop}\n"
    (tmp_path / "big.yaml").write_bytes(codecs.BOM_UTF16_BE + namespace.encode("utf-16-be"))
    (tmp_path / "odd.yaml").write_bytes(codecs.BOM_UTF16_LE + b"k\x00i\x00n")
    result = run_scan(ScanRequest(paths=(str(tmp_path),)))
    errors = {Path(e.path).name: e.reason for e in result.errors}
    assert errors == {"odd.yaml": "invalid UTF-16 (byte offset 6)"}, errors
    assert sorted((o.kind, o.line) for o in result.plain_objects) == [
        ("Deployment", 1), ("Namespace", 1)
    ]  # fmt: skip


def test_chart_files_holding_templates_are_chart_input(tmp_path: Path) -> None:
    # A chart keeps CRDs under conf/ and renders them with `tpl (.Files.Get ...)`: such a
    # file is a template of the chart (rendered with it), not an unreadable manifest. A
    # broken file without template actions, or a template outside any chart, still is.
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "conf").mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: op\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("crds: {create: true}\n")
    (chart / "templates" / "crds.yaml").write_text('{{ tpl (.Files.Get "conf/crd.yaml") . }}\n')
    (chart / "conf" / "crd.yaml").write_text(
        "{{- if .Values.crds.create }}\napiVersion: apiextensions.k8s.io/v1\n"
        "kind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n"
        "spec: {group: example.com, names: {kind: Widget, plural: widgets}, scope: Namespaced}\n"
        "{{- end }}\n"
    )
    (chart / "broken.yaml").write_text("a: [1, 2\n")
    (tmp_path / "outside.yaml").write_text("{{- if .Values.on }}\nkind: ConfigMap\n{{- end }}\n")
    data = run_scan(ScanRequest(paths=(str(tmp_path),))).to_json()
    assert sorted(Path(e["path"]).name for e in data["errors"]) == ["broken.yaml", "outside.yaml"]
    assert data["renderers"]["helm"]["status"] == "ok", data[
        "renderers"
    ]  # the test extra has the SDK
    assert data["inventory"]["kubernetes"]["rendered_objects"] == 1  # the CRD, from the chart
