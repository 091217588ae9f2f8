"""Where rendered objects come from, told by accumulation order instead of annotations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cnmm.collect import kustomize
from cnmm.collect.manifests import ManifestOptions, collect_manifests
from tests.kubernetes.test_render import needs_kubectl


def _counting_renderer(tmp_path: Path) -> tuple[tuple[str, str], Path]:
    """kubectl behind a script that logs each build: the command is passed in, so the
    test counts real builds without patching anything."""
    kubectl = shutil.which("kubectl")
    assert kubectl is not None
    log = tmp_path / "builds.log"
    script = tmp_path / "bin" / "kubectl"
    script.parent.mkdir()
    script.write_text(f'#!/bin/sh\necho "$2" >> {log}\nexec {kubectl} "$@"\n')
    script.chmod(0o755)
    return (str(script), "kustomize"), log


def _app(root: Path) -> Path:
    """resources (a file, a base, a legacy base), generators and a component, which
    kustomize accumulates in that order."""
    base, legacy, component, app = (root / n for n in ("base", "legacy", "component", "app"))
    for folder in (base, legacy, component, app):
        folder.mkdir(parents=True)
    (base / "web.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        "spec: {template: {spec: {containers: [{name: web, image: 'nginx:1.25'}]}}}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
    )
    (base / "kustomization.yaml").write_text(
        "resources: [web.yaml]\nconfigMapGenerator: [{name: base-settings, literals: [a=1]}]\n"
    )
    (legacy / "old.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: old}\n"
    )
    (legacy / "kustomization.yaml").write_text("resources: [old.yaml]\n")
    (component / "extra.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n"
    )
    (component / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
        "resources: [extra.yaml]\nsecretGenerator: [{name: token, literals: [t=x]}]\n"
    )
    (app / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
    (app / "kustomization.yaml").write_text(
        "namePrefix: shop-\nresources: [ns.yaml, ../base]\nbases: [../legacy]\n"
        "components: [../component]\n"
        "configMapGenerator: [{name: settings, literals: [b=2]}]\n"
        "secretGenerator: [{name: creds, literals: [c=3]}]\n"
    )
    return app


@needs_kubectl
def test_objects_point_at_their_files_from_one_build_without_annotations(
    tmp_path: Path,
) -> None:
    app = _app(tmp_path / "tree")
    command, log = _counting_renderer(tmp_path)
    collection = collect_manifests([tmp_path / "tree"], ManifestOptions(kustomize_command=command))
    assert collection.renderers["kustomize"]["status"] == "ok"
    where = {(o.kind, o.name): Path(o.path) for o in collection.rendered}
    tree = tmp_path / "tree"
    assert where == {
        ("Namespace", "shop"): app / "ns.yaml",  # namespaces keep their name
        ("Deployment", "shop-web"): tree / "base" / "web.yaml",
        ("Service", "shop-web"): tree / "base" / "web.yaml",
        ("ConfigMap", next(n for k, n in where if n.startswith("shop-base-settings-"))): tree
        / "base"
        / "kustomization.yaml",
        ("ServiceAccount", "shop-old"): tree / "legacy" / "old.yaml",
        ("ConfigMap", next(n for k, n in where if n.startswith("shop-settings-"))): app
        / "kustomization.yaml",
        ("Secret", next(n for k, n in where if n.startswith("shop-creds-"))): app
        / "kustomization.yaml",
        ("ConfigMap", "shop-extra"): tree / "component" / "extra.yaml",
        ("Secret", next(n for k, n in where if n.startswith("shop-token-"))): tree
        / "component"
        / "kustomization.yaml",
    }
    # The same answer as kustomize's own origin annotations, from a single build.
    annotated, reason = kustomize.render(list(command), app)
    assert reason is None
    assert {(o.kind, o.name): Path(o.path) for o in annotated} == where
    assert log.read_text().count("\n") == 2  # the scan's one build, and this test's


@needs_kubectl
def test_a_patch_that_replaces_all_annotations_keeps_the_source_file(tmp_path: Path) -> None:
    # Kustomize's own origin annotation would be wiped by this patch (and the object then
    # said to come from the kustomization); the order still tells its file.
    app = tmp_path / "app"
    app.mkdir()
    (app / "hooks.yaml").write_text(
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\n"
        "metadata: {name: hooks}\nwebhooks: []\n"
    )
    (app / "annotate.yaml").write_text(
        "- {op: add, path: /metadata/annotations, value: {inject-ca: 'true'}}\n"
    )
    (app / "kustomization.yaml").write_text(
        "resources: [hooks.yaml]\n"
        "patches: [{path: annotate.yaml, target: {kind: ValidatingWebhookConfiguration}}]\n"
    )
    collection = collect_manifests([tmp_path], ManifestOptions())
    (hooks,) = collection.rendered
    assert hooks.path == str(app / "hooks.yaml")
    assert hooks.body["metadata"]["annotations"] == {"inject-ca": "true"}


@pytest.mark.parametrize(
    ("patches", "builds"),
    [
        (["- path: drop.yaml\n"], 1),
        (["- {path: rename.yaml, target: {kind: ServiceAccount}}\n"], 1),
        # Both at once: a gap and a name that does not match. Order alone is not trusted.
        (["- path: drop.yaml\n", "- {path: rename.yaml, target: {kind: ServiceAccount}}\n"], 2),
    ],
)
@needs_kubectl
def test_deleted_or_renamed_objects_are_still_located(
    tmp_path: Path, patches: list[str], builds: int
) -> None:
    tree = tmp_path / "tree"
    app = _app(tree)
    (app / "drop.yaml").write_text(
        "$patch: delete\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
    )
    (app / "rename.yaml").write_text("- {op: replace, path: /metadata/name, value: renamed}\n")
    text = (app / "kustomization.yaml").read_text()
    (app / "kustomization.yaml").write_text(text + "patches:\n" + "".join(patches))
    command, log = _counting_renderer(tmp_path)
    collection = collect_manifests([tree], ManifestOptions(kustomize_command=command))
    where = {(o.kind, o.name): Path(o.path) for o in collection.rendered}
    assert where[("Deployment", "shop-web")] == tree / "base" / "web.yaml"
    account = "shop-renamed" if "rename" in "".join(patches) else "shop-old"
    assert where[("ServiceAccount", account)] == tree / "legacy" / "old.yaml"
    assert (("Service", "shop-web") in where) == ("drop" not in "".join(patches))
    assert log.read_text().count("\n") == builds
    # Where kustomize's own origin annotations say they come from.
    annotated, _reason = kustomize.render(list(command), app)
    assert {(o.kind, o.name): Path(o.path) for o in annotated} == where


@needs_kubectl
def test_when_order_is_ambiguous_annotations_tell(tmp_path: Path) -> None:
    # "web" is deleted; "web-extra" (another file) contains its name: order alone cannot
    # say which file the one object left came from.
    app = tmp_path / "app"
    app.mkdir()
    (app / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n")
    (app / "b.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-extra}\n")
    (app / "drop.yaml").write_text(
        "$patch: delete\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n"
    )
    (app / "kustomization.yaml").write_text(
        "resources: [a.yaml, b.yaml]\npatches: [{path: drop.yaml}]\n"
    )
    command, log = _counting_renderer(tmp_path)
    collection = collect_manifests([app], ManifestOptions(kustomize_command=command))
    (left,) = collection.rendered
    assert (left.name, left.path) == ("web-extra", str(app / "b.yaml"))
    assert log.read_text().count("\n") == 2  # in order, then with annotations


def test_what_order_cannot_tell_is_left_to_annotations(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    index = {app.resolve(): {"resources": ["cm.yaml"]}}
    parsed = {str((app / "cm.yaml").resolve()): _parse(app / "cm.yaml")}
    assert kustomize.ordered_sources(app, index, parsed) is None  # no kustomization file
    (app / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    assert kustomize.ordered_sources(app, index, parsed) == [
        ("ConfigMap", "c", str((app / "cm.yaml").resolve()))
    ]
    for doc in (
        {"resources": ["cm.yaml"], "configMapGenerator": [{"name": "c", "behavior": "merge"}]},
        {"resources": ["cm.yaml"], "generators": ["gen.yaml"]},
        {"resources": ["other.yaml"]},  # a file the scan did not parse
        {"resources": ["https://example.com/app.yaml"]},
    ):
        assert kustomize.ordered_sources(app, {app.resolve(): doc}, parsed) is None, doc


def _parse(path: Path):
    from cnmm.collect.manifests import parse_file

    return parse_file(path, 1_000_000)
