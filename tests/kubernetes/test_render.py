"""Kustomize and Helm rendering with the real tools: origins, variants, failures, speed-ups."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cnmm.collect import kustomize
from cnmm.collect.manifests import (
    ManifestOptions,
    collect_manifests,
    parse_text,
    parse_text_whole,
    strip_crd_schemas,
)
from cnmm.scan import ScanRequest, run_scan
from tests.conftest import run_cnmm

needs_kubectl = pytest.mark.skipif(
    shutil.which("kubectl") is None and os.environ.get("CI") != "true",
    reason="kubectl is not installed (CI installs it)",
)

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - {{name: web, image: "nginx:1.25"}}
"""


def _crd(group: str, kind: str, properties: int) -> str:
    """A CRD whose schema is `properties` lines long."""
    props = "".join(
        f"                f{i}:\n                  type: string\n"
        f"                  description: field number {i} of the spec\n"
        for i in range(properties)
    )
    return (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        f"metadata:\n  name: {kind.lower()}s.{group}\nspec:\n  group: {group}\n"
        f"  names: {{kind: {kind}, plural: {kind.lower()}s}}\n  scope: Namespaced\n"
        "  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n"
        "      openAPIV3Schema:\n        type: object\n        properties:\n"
        "          spec:\n            type: object\n            properties:\n" + props
    )


def test_crd_schemas_are_skipped_with_lines_kept() -> None:
    text = _crd("keda.sh", "ScaledObject", 50) + "---\n" + DEPLOYMENT.format(replicas=2)
    light = strip_crd_schemas(text)
    assert light.count("\n") == text.count("\n") and len(light) < len(text) / 5
    fast, whole = parse_text(text, "x.yaml"), parse_text_whole(text, "x.yaml")
    assert [(o.kind, o.line) for o in fast.objects] == [(o.kind, o.line) for o in whole.objects]
    assert fast.objects[1].line == text.count("\n", 0, text.index("apiVersion: apps")) + 1
    assert fast.objects[0].body["spec"]["versions"][0]["schema"] == {"openAPIV3Schema": {}}
    assert fast.objects[1].body == whole.objects[1].body
    # An anchor defined inside a schema and used outside: the whole text is parsed instead.
    crd = _crd("keda.sh", "ScaledObject", 50)
    tricky = crd.replace(
        "type: object\n        properties:", "type: &t object\n        properties:", 1
    )
    tricky += "status: {note: *t}\n"
    assert parse_text(tricky, "x.yaml").objects[0].body["status"] == {"note": "object"}
    # Only CRD documents are touched: a ConfigMap quoting a schema keeps its text.
    quoted = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
        "data:\n  s: |\n    openAPIV3Schema:\n      x: y\n"
    )
    assert strip_crd_schemas(quoted) is quoted


def _base_and_overlays(root: Path, preamble: str = "") -> tuple[Path, Path, Path]:
    """base/ with one Deployment (after `preamble`), overlays/dev putting it in namespace
    dev, and an empty overlays/prod for the test to write."""
    base, dev, prod = root / "base", root / "overlays" / "dev", root / "overlays" / "prod"
    for folder in (base, dev, prod):
        folder.mkdir(parents=True)
    (base / "web.yaml").write_text(preamble + DEPLOYMENT.format(replicas=1))
    (base / "kustomization.yaml").write_text("resources: [web.yaml]\n")
    (dev / "kustomization.yaml").write_text("resources: [../../base]\nnamespace: dev\n")
    return base, dev, prod


def test_the_manifest_loader_builds_what_pyyaml_builds() -> None:
    """Plain strings take a short cut in the manifest loader; everything else is PyYAML's."""
    import yaml

    from cnmm.collect.manifests import parse_documents

    text = (
        "a: &s shared\nb: *s\nc: !!str 12\nd: 12\ne: 0x1F\nf: 1_000\ng: 1:30\nh: .inf\n"
        "i: yes\nj: ~\nk: 2024-01-02\nl: !!binary aGk=\nm: &m {x: 1}\nn: {<<: *m, y: 2}\n"
        "o: [*s, '012', \"t\\u00e9\"]\np: !!set {q}\nr: |\n  block\ns: 1e3\n"
        "---\n- plain\n- 3.5\n"
    )
    ours = [doc for doc, _line in parse_documents(text)]
    assert ours == list(yaml.load_all(text, Loader=yaml.CSafeLoader))
    assert ours[0]["b"] == "shared" and ours[0]["c"] == "12" and ours[0]["g"] == 90


@needs_kubectl
def test_overlays_point_at_the_base_file_and_line(tmp_path: Path) -> None:
    base, _dev, prod = _base_and_overlays(tmp_path, "# the app\n---\n")
    (prod / "replicas.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n"
    )
    (prod / "kustomization.yaml").write_text(
        "resources: [../../base]\nnamespace: prod\nnamePrefix: shop-\npatches:\n"
        "- path: replicas.yaml\nconfigMapGenerator:\n- {name: settings, literals: [a=b]}\n"
    )
    result = run_scan(ScanRequest(paths=(str(tmp_path),)))
    data = result.to_json()
    assert data["renderers"]["kustomize"]["status"] == "ok", data["renderers"]
    replicas = {
        (f["subject"]["namespace"], f["subject"]["name"]): f
        for f in data["findings"]
        if f["rule"] == "k8s.workload.replicas"
    }
    # One source object, two deployed variants: both judged, both located at the base file.
    assert set(replicas) == {("dev", "web"), ("prod", "shop-web")}
    assert replicas[("prod", "shop-web")]["outcome"] == "pass"
    assert replicas[("dev", "web")]["outcome"] == "fail"
    for finding in replicas.values():
        assert finding["location"] == {"path": str(base / "web.yaml"), "line": 3}
    inventory = data["inventory"]
    assert inventory["kubernetes"]["objects"] == 1  # the patch file is not an object
    assert inventory["kubernetes"]["rendered_objects"] == 3  # two variants + a ConfigMap
    assert inventory["workloads"]["total"] == 1  # counted once, by source
    generated = [o for o in result.facts.kubernetes.objects if o.kind == "ConfigMap"]  # type: ignore[union-attr]
    assert [o.path for o in generated] == [str(prod / "kustomization.yaml")]


HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 4
"""


@needs_kubectl
def test_unrelated_roots_with_the_same_names_are_all_judged(tmp_path: Path) -> None:
    # Two apps of one repository, each its own Kustomize root, both deploy "web" with an HPA
    # into the default namespace: they are different sources, and neither hides the other.
    for app in ("blog", "shop"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "web.yaml").write_text(DEPLOYMENT.format(replicas=2))
        (tmp_path / app / "hpa.yaml").write_text(HPA)
        (tmp_path / app / "kustomization.yaml").write_text("resources: [web.yaml, hpa.yaml]\n")
    data = run_scan(ScanRequest(paths=(str(tmp_path),))).to_json()
    assert data["renderers"]["kustomize"]["status"] == "ok", data["renderers"]
    webs = [str(tmp_path / app / "web.yaml") for app in ("blog", "shop")]
    judged = sorted(
        f["location"]["path"] for f in data["findings"] if f["rule"] == "k8s.workload.replicas"
    )
    assert judged == webs
    assert data["inventory"]["capabilities"]["hpa"] == [
        str(tmp_path / app / "hpa.yaml") for app in ("blog", "shop")
    ]
    assert data["inventory"]["workloads"]["total"] == 2


def test_rendered_objects_from_other_sources_are_kept(tmp_path: Path) -> None:
    from dataclasses import replace

    from cnmm.collect.manifests import merge_rendered

    text = DEPLOYMENT.format(replicas=2)
    (plain,) = parse_text(text, str(tmp_path / "app" / "web.yaml")).objects
    # Kustomize rendered the plain file; two charts render a Deployment of the same name.
    rendered = [
        replace(plain, origin="kustomize"),
        *parse_text(text, str(tmp_path / "a" / "templates" / "web.yaml"), "helm").objects,
        *parse_text(text, str(tmp_path / "b" / "templates" / "web.yaml"), "helm").objects,
    ]
    merged = merge_rendered([plain], rendered)
    expected = [
        str(tmp_path / d / f)
        for d, f in (("app", "web.yaml"), ("a", "templates/web.yaml"), ("b", "templates/web.yaml"))
    ]
    assert [o.path for o in merged.judged] == expected
    assert [o.path for o in merged.inventory] == expected
    # The same source rendered twice into one namespace is still one object.
    assert len(merge_rendered([plain], [*rendered, rendered[0]]).judged) == 3


def test_one_file_with_a_name_in_two_namespaces_is_two_sources(tmp_path: Path) -> None:
    from dataclasses import replace

    from cnmm.collect.manifests import merge_rendered

    # One file deploys "web" into prod (with probes) and into dev (without); kustomize
    # outputs them sorted, dev first. Each rendering belongs to its own plain object.
    prod = DEPLOYMENT.format(replicas=2).replace("name: web", "name: web\n  namespace: prod", 1)
    prod = prod.replace(
        'image: "nginx:1.25"}', 'image: "nginx:1.25", readinessProbe: {tcpSocket: {port: 80}}}'
    )
    dev = DEPLOYMENT.format(replicas=1).replace("name: web", "name: web\n  namespace: dev", 1)
    plain = parse_text(prod + "---\n" + dev, str(tmp_path / "web.yaml")).objects
    assert [o.namespace for o in plain] == ["prod", "dev"]
    rendered = [replace(o, origin="kustomize", line=1) for o in reversed(plain)]
    merged = merge_rendered(plain, rendered)
    assert sorted((o.namespace, o.line) for o in merged.judged) == [
        ("dev", plain[1].line),
        ("prod", plain[0].line),
    ]
    assert [(o.namespace, o.line) for o in merged.inventory] == [
        ("prod", plain[0].line),
        ("dev", plain[1].line),
    ]


@needs_kubectl
def test_a_base_outside_the_scan_is_still_one_source(tmp_path: Path) -> None:
    # `cnmm scan overlays/`: the base is built by both overlays but not read as a plain
    # file; its one Deployment is still one source for the inventory.
    _base, _dev, prod = _base_and_overlays(tmp_path)
    (prod / "kustomization.yaml").write_text(
        "resources: [../../base]\nnamespace: prod\nnamePrefix: shop-\n"
    )
    data = run_scan(ScanRequest(paths=(str(tmp_path / "overlays"),))).to_json()
    assert data["renderers"]["kustomize"]["status"] == "ok", data["renderers"]
    assert data["inventory"]["kubernetes"]["rendered_objects"] == 2
    assert data["inventory"]["workloads"]["total"] == 1
    judged = {(f["subject"]["namespace"], f["subject"]["name"])
              for f in data["findings"] if f["rule"] == "k8s.workload.replicas"}  # fmt: skip
    assert judged == {("dev", "web"), ("prod", "shop-web")}  # both deployments still judged


@needs_kubectl
def test_components_missing_inputs_and_kustomize_messages(tmp_path: Path) -> None:
    app, component, broken = tmp_path / "app", tmp_path / "component", tmp_path / "broken"
    for folder in (app, component, broken):
        folder.mkdir()
    (app / "web.yaml").write_text(DEPLOYMENT.format(replicas=2))
    (app / "kustomization.yaml").write_text(
        "resources: [web.yaml]\nconfigMapGenerator:\n- {name: env, envs: [params.env]}\n"
    )
    (component / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
        "patches:\n- {path: missing.yaml}\n"
    )
    (broken / "kustomization.yaml").write_text("resources: [web.yaml]\nnotAField: 1\n")
    helm = tmp_path / "helm"
    helm.mkdir()
    (helm / "kustomization.yaml").write_text(
        "helmCharts:\n- {name: redis, repo: https://charts.example.com, version: 1.0.0}\n"
    )
    (broken / "web.yaml").write_text(DEPLOYMENT.format(replicas=2))
    status = run_scan(ScanRequest(paths=(str(tmp_path),))).renderers["kustomize"]
    entries = {Path(d["path"]).name: d for d in status["directories"]}
    # A Component cannot be built alone: it is never rendered as a root.
    assert set(entries) == {"app", "broken", "helm"}
    assert entries["helm"]["status"] == "failed"
    assert entries["helm"]["reason"].startswith("helmCharts: Kustomize's Helm inflation is not run")
    assert entries["app"]["status"] == "failed"
    assert entries["app"]["reason"] == (
        f"params.env: no such file (needed by {app / 'kustomization.yaml'})"
    )
    reason = entries["broken"]["reason"]
    assert "notAField" in reason and "run.go" not in reason and not reason.startswith("E1")
    assert status["status"] == "failed"


@needs_kubectl
def test_external_plugins_and_missing_configurations_fail_up_front(tmp_path: Path) -> None:
    roots = {name: tmp_path / name for name in ("fn", "config", "builtin")}
    for folder in roots.values():
        folder.mkdir()
        (folder / "web.yaml").write_text(DEPLOYMENT.format(replicas=2))
    (roots["fn"] / "fn.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: label\n  annotations:\n"
        "    config.kubernetes.io/function: |\n      container: {image: example.com/fn:v1}\n"
    )
    (roots["fn"] / "kustomization.yaml").write_text(
        "resources: [web.yaml]\ntransformers: [fn.yaml]\n"
    )
    (roots["config"] / "kustomization.yaml").write_text(
        "resources: [web.yaml]\nconfigurations: [kustomizeconfig/kinds.yaml]\n"
    )
    # kustomize's own transformers need no plugin: that root builds.
    (roots["builtin"] / "labels.yaml").write_text(
        "apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: team}\n"
        "labels: {team: shop}\nfieldSpecs: [{path: metadata/labels, create: true}]\n"
    )
    (roots["builtin"] / "kustomization.yaml").write_text(
        "resources: [web.yaml]\ntransformers: [labels.yaml]\n"
    )
    status = run_scan(ScanRequest(paths=(str(tmp_path),))).renderers["kustomize"]
    entries = {Path(d["path"]).name: d for d in status["directories"]}
    assert entries["builtin"]["status"] == "rendered", entries["builtin"]
    assert entries["fn"]["status"] == "failed"
    assert entries["fn"]["reason"] == (
        "fn.yaml (kind ConfigMap): an external plugin or KRM function, which kustomize runs "
        "only with --enable-alpha-plugins and a scan does not run "
        f"(in {roots['fn'] / 'kustomization.yaml'})"
    )
    assert entries["config"]["reason"] == (
        "kustomizeconfig/kinds.yaml: no such file "
        f"(needed by {roots['config'] / 'kustomization.yaml'})"
    )


@needs_kubectl
def test_big_crds_render_from_a_stripped_copy(tmp_path: Path) -> None:
    app, plain, patched = tmp_path / "app", tmp_path / "plain", tmp_path / "patched"
    for folder in (app, plain, patched):
        folder.mkdir()
    (app / "crd.yaml").write_text(_crd("keda.sh", "ScaledObject", 2000))
    assert (app / "crd.yaml").stat().st_size > kustomize.HEAVY_BYTES
    (app / "web.yaml").write_text(DEPLOYMENT.format(replicas=2))
    (app / "kustomization.yaml").write_text("resources: [crd.yaml, web.yaml]\n")
    (plain / "kustomization.yaml").write_text("resources: [../app]\nnamespace: apps\n")
    # This root patches the schema itself: the stripped copy cannot build it, so the
    # original is built instead, with the same kind of result.
    (patched / "kustomization.yaml").write_text(
        "resources: [../app]\nnamespace: other\npatches:\n"
        "- target: {kind: CustomResourceDefinition}\n"
        "  patch: |\n    - op: replace\n"
        "      path: /spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/f1/type\n"
        "      value: integer\n"
    )
    collection = collect_manifests([tmp_path])
    status = collection.renderers["kustomize"]
    assert status["status"] == "ok", status
    assert {Path(d["path"]).name for d in status["directories"]} == {"plain", "patched"}
    # Every rendered object points at the user's files, never at the temporary copy.
    assert {o.path for o in collection.rendered} == {str(app / "crd.yaml"), str(app / "web.yaml")}
    crds = [o for o in collection.rendered if o.kind == "CustomResourceDefinition"]
    assert len(crds) == 2 and all(o.body["spec"]["group"] == "keda.sh" for o in crds)
    # The copy really is stripped, and really cannot build the patching root.
    mirror_dir = tmp_path.parent / f"{tmp_path.name}-mirror"
    files = [app / "crd.yaml", app / "web.yaml"]
    mirror = kustomize.prepare_mirror(
        [tmp_path], [tmp_path, app, plain, patched], mirror_dir, files
    )
    copy = mirror.copy_of(patched)
    assert copy is not None and copy != patched
    copied_crd = mirror.copy_of(app / "crd.yaml")
    assert copied_crd is not None and copied_crd.stat().st_size < 10_000  # from ~200 KB
    command = kustomize.find_renderer()
    assert command is not None
    assert kustomize._run(command, copy)[0] is None  # the stripped copy fails ...
    assert kustomize._run(command, patched)[0] is not None  # ... where the original builds
    data = run_scan(ScanRequest(paths=(str(tmp_path),))).to_json()
    assert data["inventory"]["capabilities"]["keda"] == [str(app / "crd.yaml")]
    web = [f for f in data["findings"] if f["rule"] == "k8s.workload.replicas"]
    assert {f["subject"]["namespace"] for f in web} == {"apps", "other"}
    assert {f["location"]["line"] for f in web} == {1}


@needs_kubectl
def test_a_root_the_stripped_copy_cannot_build_is_built_once_more_not_twice(
    tmp_path: Path,
) -> None:
    """A patch into a schema fails on the stripped copy; the original is then built once
    (with origins), not a plain build and then a second build with origins."""
    tree = tmp_path / "tree"
    app, patched = tree / "app", tree / "patched"
    for folder in (app, patched):
        folder.mkdir(parents=True)
    (app / "crd.yaml").write_text(_crd("keda.sh", "ScaledObject", 2000))
    (app / "kustomization.yaml").write_text("resources: [crd.yaml]\n")
    (patched / "kustomization.yaml").write_text(
        "resources: [../app]\npatches:\n"
        "- target: {kind: CustomResourceDefinition}\n"
        "  patch: |\n    - op: replace\n"
        "      path: /spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/f1/type\n"
        "      value: integer\n"
    )
    # The real kubectl, through a shim that logs each build's target.
    log = tmp_path / "builds.log"
    shim = tmp_path / "kubectl-shim"
    real = kustomize.find_renderer()
    assert real is not None
    shim.write_text(f'#!/bin/sh\necho "$2" >> {log}\nexec {real[0]} "$@"\n')
    shim.chmod(0o755)
    options = ManifestOptions(kustomize_command=(str(shim), real[1]))
    collection = collect_manifests([tree], options)
    status = collection.renderers["kustomize"]
    assert status["status"] == "ok", status
    assert [o.path for o in collection.rendered] == [str(app / "crd.yaml")]
    builds = log.read_text().split()
    assert len(builds) == 2, builds  # the copy, then the original once


def test_kustomize_builds_run_with_a_soft_memory_limit(tmp_path: Path) -> None:
    """With GOGC=off, Go collects only near GOMEMLIMIT: the limit must be set (a user's own
    settings win)."""
    show = "import os; print(os.environ.get('GOGC'), os.environ.get('GOMEMLIMIT'))"
    command = [sys.executable, "-c", show]
    out, reason = kustomize._run(command, tmp_path)
    assert reason is None and out is not None
    assert out.split() == ["off", "300MiB"]


def test_missing_renderers_are_reported_and_plain_files_still_read(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "web.yaml").write_text(DEPLOYMENT.format(replicas=2))
    (tmp_path / "app" / "kustomization.yaml").write_text("resources: [web.yaml]\n")
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
    )
    options = ManifestOptions(kustomize_command=None, helm_renderer=("", "no helm here"))
    collection = collect_manifests([tmp_path], options)
    assert [o.name for o in collection.objects] == ["web"]
    assert collection.rendered == []
    k, h = collection.renderers["kustomize"], collection.renderers["helm"]
    assert k["status"] == "not-available" and "kubectl" in k["reason"]
    assert k["directories"] == [
        {"path": str(tmp_path / "app"), "status": "not-available", "objects": 0}
    ]
    assert h["status"] == "not-available" and h["reason"] == "no helm here"
    assert h["charts"] == [{"path": str(chart), "status": "not-available"}]


def test_kubectl_missing_from_path(tmp_path: Path) -> None:
    """The real lookup: with no kubectl or kustomize on PATH, Kustomize is not-available."""
    (tmp_path / "web.yaml").write_text(DEPLOYMENT.format(replicas=2))
    (tmp_path / "kustomization.yaml").write_text("resources: [web.yaml]\n")
    empty = tmp_path / "bin"
    empty.mkdir()
    done = run_cnmm("scan", str(tmp_path), "--format", "json", env={"PATH": str(empty)})
    data = json.loads(done.stdout)
    assert data["renderers"]["kustomize"]["status"] == "not-available", done.stderr
    assert data["inventory"]["kubernetes"]["objects"] == 1
    assert data["inventory"]["workloads"]["total"] == 1
    assert done.returncode == 1  # scanned, with findings: a missing renderer is not bad input
    assert sys.executable  # the child ran with an absolute interpreter path


def _chart(root: Path, templates: dict[str, str], chart_yaml: str = "") -> Path:
    chart = root / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n" + chart_yaml)
    (chart / "values.yaml").write_text("replicas: 2\nnames: [a, b]\n")
    for name, text in templates.items():
        (chart / "templates" / name).parent.mkdir(parents=True, exist_ok=True)
        (chart / "templates" / name).write_text(text)
    return chart


def test_helm_objects_point_at_their_template_line(tmp_path: Path) -> None:
    from cnmm.collect.helm import find_renderer

    if not find_renderer()[0]:
        pytest.skip("no Helm renderer (install cnmm[helm])")
    loop = (
        "{{- range .Values.names }}\n---\napiVersion: v1\nkind: ConfigMap\n"
        "metadata: {name: {{ . }}}\n{{- end }}\n"
    )
    two = (
        "# header\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n"
        + DEPLOYMENT.replace(
            "replicas: {replicas}", "replicas: {{{{ .Values.replicas }}}}"
        ).format()
    )
    chart = _chart(tmp_path, {"loop.yaml": loop, "two.yaml": two})
    collection = collect_manifests([tmp_path])
    assert collection.renderers["helm"]["status"] == "ok", collection.renderers
    where = {(o.kind, o.name): (Path(o.path).name, o.line) for o in collection.rendered}
    assert where[("ConfigMap", "a")] == ("loop.yaml", 4) == where[("ConfigMap", "b")]
    assert where[("Service", "s")] == ("two.yaml", 3)
    assert where[("Deployment", "web")] == ("two.yaml", 7)
    lines = (chart / "templates" / "two.yaml").read_text().splitlines()
    assert lines[6] == "kind: Deployment"


def test_helm_tests_are_not_deployed_objects(tmp_path: Path) -> None:
    from cnmm.collect.helm import find_renderer

    if not find_renderer()[0]:
        pytest.skip("no Helm renderer (install cnmm[helm])")
    test_pod = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: check\n  annotations:\n"
        '    "helm.sh/hook": {hook}\nspec:\n  containers: [{{name: c, image: busybox}}]\n'
    )
    _chart(
        tmp_path,
        {
            "web.yaml": DEPLOYMENT.format(replicas=2),
            "tests/check.yaml": test_pod.format(hook="test"),
            "tests/old.yaml": test_pod.replace("check", "old").format(hook="test-success"),
            "job.yaml": test_pod.replace("check", "migrate").format(hook="pre-install,pre-upgrade"),
        },
    )
    data = run_scan(ScanRequest(paths=(str(tmp_path),), history=False)).to_json()
    assert data["renderers"]["helm"]["status"] == "ok", data["renderers"]
    rendered = {(f["subject"]["kind"], f["subject"]["name"]) for f in data["findings"]}
    assert ("Deployment", "web") in rendered
    assert ("Pod", "migrate") in rendered  # an install hook is created by `helm install`
    assert not {name for kind, name in rendered if name in ("check", "old")}
    assert data["inventory"]["kubernetes"]["rendered_objects"] == 2


def test_helm_values_schema_on_the_network_is_not_fetched(tmp_path: Path) -> None:
    """A chart whose values.schema.json `$ref`s a URL (nginx-ingress does) renders offline;
    a schema that the default values break still fails the chart."""
    from cnmm.collect.helm import find_renderer

    if find_renderer()[0] != "helm-python-sdk":
        pytest.skip("needs the helm-python-sdk renderer")
    chart = _chart(tmp_path, {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"})
    remote = {"$ref": "http://127.0.0.1:9/defs.json#/definitions/x"}
    schema = {"type": "object", "properties": {"replicas": remote}}
    (chart / "values.schema.json").write_text(json.dumps(schema))
    collection = collect_manifests([tmp_path])
    (entry,) = collection.renderers["helm"]["charts"]
    assert entry["status"] == "rendered", entry
    assert [o.kind for o in collection.rendered] == ["ConfigMap"]
    assert (chart / "values.schema.json").exists()
    broken = {"type": "object", "properties": {"replicas": {"type": "string"}}}
    (chart / "values.schema.json").write_text(json.dumps(broken))
    (entry,) = collect_manifests([tmp_path]).renderers["helm"]["charts"]
    assert entry["status"] == "failed" and "schema" in entry["reason"], entry


def test_helm_manifests_split_where_helm_splits_them(tmp_path: Path) -> None:
    from cnmm.collect.helm import find_renderer

    if not find_renderer()[0]:
        pytest.skip("no Helm renderer (install cnmm[helm])")
    # As in cert-manager's rbac.yaml: `{{- if ... -}}` trims the newlines around it, so the
    # output reads `---# comment`; Helm still starts a new manifest there, YAML would not.
    glued = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n\n---\n\n"
        "{{- if .Values.replicas -}}\n\n# the second one\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: second}\n{{- end }}\n"
    )
    _chart(tmp_path, {"glued.yaml": glued})
    collection = collect_manifests([tmp_path])
    (entry,) = collection.renderers["helm"]["charts"]
    assert entry["status"] == "rendered" and entry["objects"] == 2, entry
    assert sorted(o.name for o in collection.rendered) == ["first", "second"]


def test_helm_output_with_a_repeated_key_is_read_as_helm_reads_it(tmp_path: Path) -> None:
    from cnmm.collect.helm import find_renderer

    if not find_renderer()[0]:
        pytest.skip("no Helm renderer (install cnmm[helm])")
    # As in aws/eks-charts' aws-dranet: a helper and the template both set the `app` label.
    # Helm installs such output (a later key wins); it must not cost the chart its objects.
    twice = (
        '{{- define "web.labels" -}}\napp: web\n{{- end }}\n'
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n"
        '    {{- include "web.labels" . | nindent 4 }}\n    app: other\n'
    )
    other = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
    _chart(tmp_path, {"twice.yaml": twice, "other.yaml": other})
    collection = collect_manifests([tmp_path])
    (entry,) = collection.renderers["helm"]["charts"]
    assert entry["status"] == "rendered" and entry["objects"] == 2, entry
    (config_map,) = (o for o in collection.rendered if o.kind == "ConfigMap")
    assert config_map.body["metadata"]["labels"] == {"app": "other"}
    assert collection.errors == []


def test_helm_dependencies_not_vendored(tmp_path: Path) -> None:
    from cnmm.collect.helm import find_renderer

    if not find_renderer()[0]:
        pytest.skip("no Helm renderer (install cnmm[helm])")
    _chart(
        tmp_path,
        {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"},
        "dependencies:\n- {name: redis, version: 1.0.0, repository: https://charts.example.com}\n",
    )
    status = collect_manifests([tmp_path]).renderers["helm"]
    (chart,) = status["charts"]
    assert "redis" in chart["reason"] and "not vendored" in chart["reason"]
    if status["tool"] == "helm-python-sdk":
        assert chart["status"] == "incomplete" and chart["objects"] == 1
    else:  # the helm binary refuses such a chart
        assert chart["status"] == "failed"
    assert status["status"] in ("partial", "failed")


def _objects_as_data(objects: list) -> set[tuple[str, str, str | None, str, str, str]]:
    return {
        (o.group, o.kind, o.namespace, o.name, o.path, json.dumps(o.body, sort_keys=True))
        for o in objects
    }


@needs_kubectl
def test_resources_only_roots_are_served_from_the_parse_as_kubectl_renders_them(
    tmp_path: Path,
) -> None:
    base, root, other = tmp_path / "base", tmp_path / "root", tmp_path / "other"
    for folder in (base, root, other):
        folder.mkdir()
    (base / "web.yaml").write_text(
        DEPLOYMENT.format(replicas=2).replace("containers:", "volumes:\n"
        "      - {name: v, configMap: {name: c, defaultMode: 0644}}\n      containers:")
        + "---\n---\n# only a comment\n"
    )  # fmt: skip
    (base / "list.yaml").write_text(
        "apiVersion: v1\nkind: List\nitems:\n"
        "- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: &d {flag: 'on'}}\n"
        "- {apiVersion: v1, kind: ConfigMap, metadata: {name: b, namespace: x}, data: *d}\n"
    )
    (base / "svc.json").write_text(
        '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},'
        ' "spec": {"ports": [{"port": 80}]}}'
    )
    (base / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources: [web.yaml, list.yaml, svc.json]\n"
    )
    (root / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    (root / "kustomization.yaml").write_text("resources: [../base, ns.yaml]\n")
    (other / "kustomization.yaml").write_text("resources: [../base]\nnamespace: other\n")
    # A renderer that cannot build anything: the resources-only root still renders, so
    # no build was started for it; the root with a namespace needs one and fails.
    options = ManifestOptions(kustomize_command=("/bin/false", "kustomize"))
    collection = collect_manifests([tmp_path], options)
    entries = {Path(d["path"]).name: d for d in collection.renderers["kustomize"]["directories"]}
    assert entries["root"]["status"] == "rendered" and entries["root"]["objects"] == 5
    assert entries["root"]["via"].startswith("plain files")
    assert entries["other"]["status"] == "failed"
    served = [o for o in collection.rendered if o.origin == "kustomize"]
    # kubectl's own rendering of the same root is the same objects, from the same files.
    command = kustomize.find_renderer()
    assert command is not None
    built, reason = kustomize.render(command, root)
    assert reason is None
    assert _objects_as_data(served) == _objects_as_data(built)
    assert {o.line for o in served} == {None}  # lines come from the plain parse


@needs_kubectl
def test_resources_only_roots_kustomize_would_refuse_are_built(tmp_path: Path) -> None:
    twice, odd, hidden = tmp_path / "twice", tmp_path / "odd", tmp_path / "hidden"
    linked, above, shared = tmp_path / "linked", tmp_path / "above", tmp_path / "shared"
    for folder in (twice, odd, hidden, linked, above, shared):
        folder.mkdir()
    (shared / "web.yaml").write_text(DEPLOYMENT.format(replicas=4))
    (linked / "web.yaml").symlink_to(shared / "web.yaml")
    (linked / "kustomization.yaml").write_text("resources: [web.yaml]\n")
    (above / "kustomization.yaml").write_text("resources: [../shared/web.yaml]\n")
    (twice / "a.yaml").write_text(DEPLOYMENT.format(replicas=1))
    (twice / "b.yaml").write_text(DEPLOYMENT.format(replicas=2))
    (twice / "kustomization.yaml").write_text("resources: [a.yaml, b.yaml]\n")
    (odd / "a.yaml").write_text("note: not an object\n---\n" + DEPLOYMENT.format(replicas=1))
    (odd / "kustomization.yaml").write_text("resources: [a.yaml]\n")
    (hidden / "web.yaml").write_text(DEPLOYMENT.format(replicas=3))
    (hidden / "kustomization.yaml").write_text("resources: [web.yaml]\n")
    from cnmm.collect.files import WalkOptions

    options = ManifestOptions(walk=WalkOptions(exclude=("hidden/web.yaml",)))
    collection = collect_manifests([tmp_path], options)
    entries = {Path(d["path"]).name: d for d in collection.renderers["kustomize"]["directories"]}
    assert entries["twice"]["status"] == "failed"
    assert "already registered id" in entries["twice"]["reason"]
    assert entries["odd"]["status"] == "failed"
    assert "missing Resource metadata" in entries["odd"]["reason"]
    # Files outside the kustomization's directory, through a link or not: kustomize refuses.
    for name, ref in (("linked", "web.yaml: a link to a"), ("above", "../shared/web.yaml: a")):
        assert entries[name]["status"] == "failed"
        assert entries[name]["reason"].startswith(f"{ref} file outside the kustomization's")
    # A file the scan does not read is still rendered, by kubectl.
    assert entries["hidden"] == {"path": str(hidden), "objects": 1, "status": "rendered"}
    assert [o.body["spec"]["replicas"] for o in collection.rendered] == [3]


def test_the_copy_kustomize_builds_read_has_large_crds_stripped(tmp_path: Path) -> None:
    tree, dest = tmp_path / "tree", tmp_path / "copy"
    (tree / "app").mkdir(parents=True)
    crd, web, env = tree / "app" / "crd.yaml", tree / "app" / "web.yaml", tree / "app" / "p.env"
    crd.write_text(_crd("keda.sh", "ScaledObject", 2000))
    web.write_text(DEPLOYMENT.format(replicas=2))
    env.write_text("A=1\n")
    mirror = kustomize.prepare_mirror([tree], [tree, tree / "app"], dest, [crd, web])
    copy_of = {p: mirror.copy_of(p) for p in (crd, web, env)}
    assert all(c is not None for c in copy_of.values())
    light = copy_of[crd].read_text()  # type: ignore[union-attr]
    assert light == strip_crd_schemas(crd.read_text()) and len(light) < crd.stat().st_size / 20
    # The stripped copy still parses as the same objects (lines kept).
    assert [o.kind for o in parse_text(light, "crd.yaml").objects] == ["CustomResourceDefinition"]
    # Small files are hard links to the originals, not copies.
    for original in (web, env):
        assert copy_of[original].stat().st_ino == original.stat().st_ino  # type: ignore[union-attr]


@needs_kubectl
def test_the_copy_is_gone_once_rendering_is_over(tmp_path: Path, monkeypatch) -> None:
    import tempfile

    from cnmm.collect.manifests import start_manifests

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "web.yaml").write_text(DEPLOYMENT.format(replicas=2))
    (tree / "kustomization.yaml").write_text("resources: [web.yaml]\nnamespace: shop\n")
    pending = start_manifests([tree])
    collection = pending.result()
    assert [o.namespace for o in collection.rendered] == ["shop"]
    assert list(scratch.iterdir()) == []


def test_helm_dependencies_of_requirements_and_file_urls(tmp_path: Path) -> None:
    from cnmm.collect.helm import find_renderer

    if not find_renderer()[0]:
        pytest.skip("no Helm renderer (install cnmm[helm])")
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
    # apiVersion v1 charts list their dependencies in requirements.yaml.
    old = _chart(tmp_path / "old", {"cm.yaml": cm})
    (old / "requirements.yaml").write_text(
        "dependencies:\n- {name: redis, version: 1.0.0, repository: https://charts.example.com}\n"
    )
    # A file:// dependency that is not on disk cannot be built either.
    gone = _chart(
        tmp_path / "gone",
        {"cm.yaml": cm},
        "dependencies:\n- {name: web, repository: 'file://../../nowhere', version: 0.1.0}\n",
    )
    status = collect_manifests([tmp_path]).renderers["helm"]
    entries = {c["path"]: c for c in status["charts"]}
    for chart, dependency in ((old, "redis"), (gone, "web")):
        entry = entries[str(chart)]
        assert entry["status"] in ("incomplete", "failed"), entry
        assert dependency in entry["reason"] and "charts/" in entry["reason"], entry


CM_FROM_LIB = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ include "lib.name" . }}}\n'


def test_helm_file_dependencies_on_disk_render_with_their_parent(tmp_path: Path) -> None:
    from cnmm.collect.helm import find_renderer

    if not find_renderer()[0]:
        pytest.skip("no Helm renderer (install cnmm[helm])")
    # As in linkerd2: charts share a library chart beside them through file://, and
    # `helm dependency build` would only copy it under charts/ (nothing to fetch).
    lib = tmp_path / "lib" / "chart"
    (lib / "templates").mkdir(parents=True)
    (lib / "Chart.yaml").write_text("apiVersion: v2\nname: lib\nversion: 0.1.0\n")
    (lib / "templates" / "_names.tpl").write_text('{{- define "lib.name" -}}from-lib{{- end }}\n')
    (lib / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lib-cm}\n"
    )
    app = _chart(
        tmp_path / "app",
        {"cm.yaml": CM_FROM_LIB},
        "dependencies:\n- {name: lib, repository: 'file://../../lib/chart', version: 0.1.0}\n",
    )
    collection = collect_manifests([tmp_path / "app"])
    (entry,) = collection.renderers["helm"]["charts"]
    assert entry["status"] == "rendered" and "reason" not in entry, entry
    where = {o.name: o.path for o in collection.rendered}
    assert where == {
        "from-lib": str(app / "templates" / "cm.yaml"),
        "lib-cm": str(lib / "templates" / "cm.yaml"),
    }
    assert not (app / "charts").exists()  # rendered from a copy: the tree is left alone


def test_helm_file_dependencies_scanned_too_are_one_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cnmm.collect.helm import find_renderer

    if not find_renderer()[0]:
        pytest.skip("no Helm renderer (install cnmm[helm])")
    # As in istio's manifests/: an umbrella chart renders charts beside it through file://;
    # both are scanned, by relative paths. The dependency's template is one source, named
    # as the scan names it, not by an absolute path.
    lib = tmp_path / "charts" / "lib"
    (lib / "templates").mkdir(parents=True)
    (lib / "Chart.yaml").write_text("apiVersion: v2\nname: lib\nversion: 0.1.0\n")
    (lib / "templates" / "web.yaml").write_text(DEPLOYMENT.format(replicas=2))
    umbrella = tmp_path / "umbrella"
    umbrella.mkdir()
    (umbrella / "Chart.yaml").write_text(
        "apiVersion: v2\nname: umbrella\nversion: 0.1.0\n"
        "dependencies:\n- {name: lib, repository: 'file://../charts/lib', version: 0.1.0}\n"
    )
    monkeypatch.chdir(tmp_path)
    data = run_scan(ScanRequest(paths=("charts", "umbrella"), history=False)).to_json()
    charts = {c["path"]: c for c in data["renderers"]["helm"]["charts"]}
    assert charts["umbrella"]["status"] == "rendered" and charts["umbrella"]["objects"] == 1
    assert data["inventory"]["workloads"]["total"] == 1
    template = os.path.join("charts", "lib", "templates", "web.yaml")
    located = {f["location"]["path"] for f in data["findings"] if f.get("location")}
    assert located == {template}


def test_helm_dependencies_the_values_leave_out_are_not_missing(tmp_path: Path) -> None:
    from cnmm.collect.helm import find_renderer

    if not find_renderer()[0]:
        pytest.skip("no Helm renderer (install cnmm[helm])")
    # As in external-secrets: an optional subchart from a registry, off by default.
    chart = _chart(
        tmp_path,
        {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"},
        "dependencies:\n"
        "- {name: redis, version: 1.0.0, repository: 'oci://example.com/charts',"
        " condition: 'redis.enabled'}\n"
        "- {name: cache, version: 1.0.0, repository: 'oci://example.com/charts',"
        " condition: 'cache.on,global.cache', tags: [extras]}\n",
    )
    (chart / "values.yaml").write_text(
        "redis: {enabled: false}\ncache: {on: maybe}\nglobal: {cache: false}\n"
    )
    on = tmp_path / "on.yaml"
    on.write_text("redis: {enabled: true}\n")

    def entry(*values: str) -> dict:
        options = ManifestOptions(values=values)
        (found,) = collect_manifests([chart], options).renderers["helm"]["charts"]
        return found

    off, enabled = entry(), entry(str(on))
    if find_renderer()[0] == "helm-python-sdk":
        assert off["status"] == "rendered" and "reason" not in off, off
        assert off["objects"] == 1
        assert enabled["status"] == "incomplete", enabled
    else:  # the binary refuses a chart with any dependency missing, needed or not
        assert off["status"] == "failed" and "not needed under these values" in off["reason"]
        assert enabled["status"] == "failed"
    assert "redis" in enabled["reason"] and "cache" not in enabled["reason"]


@needs_kubectl
def test_an_object_renamed_by_a_patch_is_still_one_source(tmp_path: Path) -> None:
    # A JSON patch replaces the Job's name: origin annotations name only the file, so the
    # rendered Job must still be matched to the file's one Job, not counted beside it.
    (tmp_path / "job.yaml").write_text(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: job-name}\nspec:\n  template:\n"
        "    spec:\n      restartPolicy: Never\n"
        "      containers: [{name: main, image: 'busybox:1.36'}]\n"
    )
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [job.yaml]\npatches:\n- target: {kind: Job}\n  patch: |-\n"
        "    - {op: replace, path: /metadata/name, value: renamed}\n"
    )
    data = run_scan(ScanRequest(paths=(str(tmp_path),))).to_json()
    assert data["renderers"]["kustomize"]["status"] == "ok", data["renderers"]
    assert data["inventory"]["kubernetes"]["objects"] == 1
    assert data["inventory"]["workloads"]["total"] == 1
    names = {f["subject"]["name"] for f in data["findings"] if f["rule"].startswith("k8s.workload")}
    assert names == {"renamed"}  # judged in its rendered form only


def test_a_base_is_named_in_reasons_as_the_scan_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A root whose base cannot build: the reason names the base's kustomization relative to
    # where cnmm ran, as the root itself is named, not by an absolute resolved path.
    (tmp_path / "apps" / "chart").mkdir(parents=True)
    (tmp_path / "apps" / "kustomization.yaml").write_text("resources: [./chart]\n")
    (tmp_path / "apps" / "chart" / "kustomization.yaml").write_text(
        "helmCharts:\n- {name: redis, repo: https://charts.example.com, version: 1.0.0}\n"
    )
    monkeypatch.chdir(tmp_path)
    status = run_scan(ScanRequest(paths=("apps",))).renderers["kustomize"]
    (entry,) = status["directories"]
    assert entry["path"] == "apps"
    assert entry["reason"].endswith(f"(in {Path('apps/chart/kustomization.yaml')})")


@needs_kubectl
def test_files_outside_a_kustomization_fail_up_front_as_kustomize_refuses_them(
    tmp_path: Path,
) -> None:
    shared, overlay, patched = tmp_path / "shared", tmp_path / "overlay", tmp_path / "patched"
    for folder in (shared, overlay, patched):
        folder.mkdir()
    (shared / "web.yaml").write_text(DEPLOYMENT.format(replicas=2))
    (overlay / "kustomization.yaml").write_text("resources: [../shared/web.yaml]\n")
    (patched / "web.yaml").write_text(DEPLOYMENT.format(replicas=2))
    (patched / "kustomization.yaml").write_text(
        "resources: [web.yaml]\npatches: [{path: ../shared/web.yaml}]\n"
    )
    # kustomize itself refuses both (its default load restrictor) ...
    for root in (overlay, patched):
        build = subprocess.run(["kubectl", "kustomize", str(root)], capture_output=True)
        assert build.returncode != 0 and b"is not in or below" in build.stderr
    # ... and the scan says why, naming the file and the kustomization, without building.
    status = run_scan(ScanRequest(paths=(str(overlay), str(patched)))).renderers["kustomize"]
    reasons = {Path(d["path"]).name: d["reason"] for d in status["directories"]}
    assert reasons == {
        name: f"{ref}: a file outside the kustomization's directory, which kustomize refuses "
        "(only `--load-restrictor LoadRestrictionsNone` builds allow it) "
        f"(needed by {folder / 'kustomization.yaml'})"
        for name, ref, folder in (
            ("overlay", "../shared/web.yaml", overlay),
            ("patched", "../shared/web.yaml", patched),
        )
    }


def test_a_chart_used_under_two_aliases_is_one_missing_dependency(tmp_path: Path) -> None:
    from cnmm.collect.helm import missing_dependencies

    # As in grafana-sampling: alloy twice, as alloy-deployment and alloy-statefulset.
    chart = _chart(
        tmp_path,
        {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"},
        "dependencies:\n"
        "- {name: alloy, version: 1.4.0, repository: 'https://example.com/charts',"
        " alias: alloy-deployment, condition: alloy-deployment.enabled}\n"
        "- {name: alloy, version: 1.4.0, repository: 'https://example.com/charts',"
        " alias: alloy-statefulset, condition: alloy-statefulset.enabled}\n",
    )
    assert missing_dependencies(chart, {}) == (["alloy"], [])
    one_off = {"alloy-deployment": {"enabled": False}}
    assert missing_dependencies(chart, one_off) == (["alloy"], [])
    both_off = {**one_off, "alloy-statefulset": {"enabled": False}}
    assert missing_dependencies(chart, both_off) == ([], ["alloy"])
