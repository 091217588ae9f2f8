"""`cnmm scan` end to end: collection, renderers, filters, exemptions, output formats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnmm.cli.main import build_app
from cnmm.collect.kubernetes_facts import facts_from_objects
from cnmm.collect.manifests import parse_text
from cnmm.evidence import verdict_for
from cnmm.scan import ScanRequest, run_scan

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
  annotations: {annotations}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - {{name: app, image: "nginx:1.25"}}
"""


def deployment(name: str = "web", annotations: str = "{}") -> str:
    return DEPLOYMENT.format(name=name, annotations=annotations)


def invoke(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(build_app(), ["scan", *args], input=stdin)


def test_multi_document_list_and_tool_configs(tmp_path: Path) -> None:
    (tmp_path / "all.yaml").write_text(
        deployment() + "---\napiVersion: v1\nkind: List\nitems:\n"
        "- {apiVersion: v1, kind: Service, metadata: {name: a}, spec: {selector: {app: web}}}\n"
        "- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}, data: {x: y}}\n"
    )
    (tmp_path / "skaffold.yaml").write_text("apiVersion: skaffold/v4beta6\nkind: Config\n")
    (tmp_path / "kind.yaml").write_text("apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\n")
    (tmp_path / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: web}\n"
    )
    (tmp_path / "kyverno-test.yaml").write_text("apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\n")
    data = run_scan(ScanRequest(paths=(str(tmp_path),))).to_json()
    kube = data["inventory"]["kubernetes"]
    assert kube["objects"] == 3
    assert kube["kinds"] == {"ConfigMap": 1, "Deployment": 1, "Service": 1}
    assert data["findings"][0]["location"]["path"].endswith("all.yaml")


def test_objects_keep_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "two.yaml").write_text("---\n# c\n" + deployment("a") + "---\n" + deployment("b"))
    result = run_scan(ScanRequest(paths=(str(tmp_path),)))
    lines = {o.name: o.line for o in result.plain_objects}
    assert lines == {"a": 3, "b": 3 + deployment("a").count("\n") + 1}


def test_kinds_are_matched_by_api_group() -> None:
    text = (
        "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\n---\n"
        "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: s}\n---\n"
        "apiVersion: v1\nkind: Deployment\nmetadata: {name: wrong-group}\n---\n"
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\n"
        "spec: {hostnames: [a.example], rules: [{backendRefs: [{name: svc}]}]}\n"
    )
    facts = facts_from_objects(parse_text(text, "x.yaml").objects)
    assert facts.services == () and facts.workloads == ()
    assert [r.object.name for r in facts.routes] == ["r"]
    assert {c.name for c in facts.capabilities} == {"istio"}


def test_security_findings_only_on_workloads(tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
                                      "data: {a: b}\n")  # fmt: skip
    result = run_scan(ScanRequest(paths=(str(tmp_path),)))
    assert not [f for f in result.findings if f.rule.startswith("k8s.workload.")]


def test_include_exclude_and_cnmmignore(tmp_path: Path) -> None:
    for folder in ("app", "tmp", "node_modules", "vendor", "ignored"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "d.yaml").write_text(deployment(folder.replace("_", "-")))
    (tmp_path / ".cnmmignore").write_text("# comment\nignored/\n")
    result = run_scan(ScanRequest(paths=(str(tmp_path),), exclude=("tmp",)))
    assert sorted(o.name for o in result.plain_objects) == ["app"]
    result = run_scan(ScanRequest(paths=(str(tmp_path),), include=("tmp/*.yaml",)))
    assert sorted(o.name for o in result.plain_objects) == ["tmp"]


def test_stdin() -> None:
    done = invoke("-", "--format", "json", stdin=deployment())
    data = json.loads(done.stdout)
    assert data["inventory"]["workloads"]["total"] == 1
    assert data["findings"][0]["location"]["path"] == "<stdin>"


def test_exemptions_from_config_and_annotations(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(
        deployment("web", '{"cnmm.io/exempt": "k8s.workload.readiness-probe", '
                   '"cnmm.io/exempt-reason": "batch-like worker"}')
        + "---\n" + deployment("api")
    )  # fmt: skip
    (tmp_path / "cnmm.yaml").write_text(
        "version: 1\nexemptions:\n"
        "- {rule: k8s.workload.liveness-probe, subject: 'Deployment/shop/*', reason: legacy}\n"
        "- {rule: k8s.workload.resource-limits, subject: '*', reason: old, expires: 2020-01-01}\n"
    )
    done = invoke(str(tmp_path), "--format", "json")
    data = json.loads(done.stdout)
    by = {(f["rule"], f["subject"]["name"]): f for f in data["findings"]}
    ready = by[("k8s.workload.readiness-probe", "web")]
    assert ready["outcome"] == "fail" and ready["exemption"]["origin"] == "annotation"
    assert ready["exemption"]["reason"] == "batch-like worker"
    assert by[("k8s.workload.readiness-probe", "api")]["exemption"] is None
    assert by[("k8s.workload.liveness-probe", "api")]["exemption"]["origin"] == "cnmm.yaml"
    limits = by[("k8s.workload.resource-limits", "api")]
    assert limits["exemption"]["expired"] is True
    assert any("expired" in w for w in data["warnings"])
    assert done.exit_code == 1


def test_kustomize_rendering(tmp_path: Path) -> None:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed: Kustomize cannot be rendered")
    base, overlay = tmp_path / "base", tmp_path / "overlay"
    base.mkdir()
    overlay.mkdir()
    (base / "deploy.yaml").write_text(deployment().replace("  namespace: shop\n", ""))
    (base / "kustomization.yaml").write_text("resources: [deploy.yaml]\n")
    (overlay / "kustomization.yaml").write_text(
        "resources: [../base]\nnamespace: prod\nimages:\n- {name: nginx, digest: sha256:"
        + "a" * 64
        + "}\nconfigMapGenerator:\n- {name: cfg, literals: [a=b]}\n"
    )
    data = run_scan(ScanRequest(paths=(str(tmp_path),))).to_json()
    assert data["renderers"]["kustomize"]["status"] == "ok"
    assert data["inventory"]["kubernetes"]["objects"] == 1
    assert data["inventory"]["kubernetes"]["rendered_objects"] == 2
    assert data["inventory"]["images"]["digest_pinned"] == 1  # rendered body, file location
    assert sorted(data["inventory"]["kustomizations"]) == [str(base), str(overlay)]
    digest = [f for f in data["findings"] if f["rule"] == "k8s.image.digest-pinned"]
    assert digest[0]["outcome"] == "pass" and digest[0]["location"]["path"].endswith("deploy.yaml")


def test_kustomize_patch_files_are_not_objects(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text(deployment())
    (tmp_path / "patch.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n"
    )
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [deploy.yaml]\npatches:\n- path: patch.yaml\n"
    )
    result = run_scan(ScanRequest(paths=(str(tmp_path),), render=False))
    assert [o.path for o in result.plain_objects] == [str(tmp_path / "deploy.yaml")]


def test_helm_rendering_with_values(tmp_path: Path) -> None:
    from cnmm.collect.helm import find_renderer

    tool, reason = find_renderer()
    if not tool:
        pytest.skip(f"no Helm renderer: {reason}")
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("replicas: 1\n")
    (chart / "templates" / "deploy.yaml").write_text(
        deployment("{{ .Release.Name }}").replace("replicas: 2", "replicas: {{ .Values.replicas }}")
    )
    (tmp_path / "prod.yaml").write_text("replicas: 4\n")
    data = run_scan(ScanRequest(paths=(str(tmp_path),), values=(str(tmp_path / "prod.yaml"),)))
    doc = data.to_json()
    assert doc["renderers"]["helm"]["status"] == "ok", doc["renderers"]
    assert doc["inventory"]["kubernetes"]["objects"] == 0  # templates are not plain objects
    assert doc["inventory"]["kubernetes"]["rendered_objects"] == 1
    assert doc["inventory"]["helm_charts"] == [str(chart)]
    replicas = [f for f in doc["findings"] if f["rule"] == "k8s.workload.replicas"]
    assert replicas[0]["message"] == "4 replicas"
    assert replicas[0]["location"]["path"] == str(chart / "templates" / "deploy.yaml")


def test_sarif_output(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(deployment())
    done = invoke(str(tmp_path), "--format", "sarif")
    sarif = json.loads(done.stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    located = [r for r in run["results"] if "locations" in r]
    assert located
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    for result in located:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert Path(uri.removeprefix("file://")).is_file()
    # Platform findings have no file: no invented locations.
    assert all(
        "locations" not in r for r in run["results"] if r["ruleId"].startswith("k8s.platform")
    )


def test_cluster_options_need_cluster() -> None:
    done = invoke("x", "--context", "prod")
    assert done.exit_code == 2


def test_evidence_verdicts() -> None:
    from cnmm.findings import Finding, Outcome, Subject

    s = Subject("Deployment", "a")
    f = [Finding("r", Outcome.PASS, s, ""), Finding("r", Outcome.FAIL, s, "")]
    assert verdict_for("c", ["r"], 0.5, f).verdict == "met"
    assert verdict_for("c", ["r"], 0.9, f).verdict == "not-met"
    assert verdict_for("c", ["r"], 0.9, [Finding("r", Outcome.NOT_APPLICABLE, s, "")]).verdict \
        == "not-applicable"  # fmt: skip
    assert verdict_for("c", ["r"], 0.9, [Finding("r", Outcome.NOT_AVAILABLE, s, "")]).verdict \
        == "unknown"  # fmt: skip


def test_not_available_from_cluster_permissions() -> None:
    from cnmm.engine import evaluate
    from cnmm.facts import Facts
    from cnmm.rules.base import discover_rules

    objects = parse_text(deployment(), "d.yaml").objects
    facts = facts_from_objects(objects, {"networkpolicies.networking.k8s.io": "forbidden: list"})
    rule = discover_rules()["k8s.namespace.network-policy"]
    (finding,) = evaluate(Facts(kubernetes=facts), [rule])
    assert finding.outcome.value == "not-available" and finding.message == "forbidden: list"
