"""Objects -> typed facts: every workload kind, every fact family, every capability name."""

from __future__ import annotations

import pytest

from cnmm.collect.kubernetes_facts import INVENTORY_CAPABILITIES, facts_from_objects
from cnmm.collect.manifests import parse_text
from cnmm.facts.kubernetes import KubernetesFacts

POD_SPEC = "{containers: [{name: c, image: 'app:1', readinessProbe: {exec: {command: [x]}}}]}"


def facts(text: str) -> KubernetesFacts:
    parsed = parse_text(text, "x.yaml")
    assert parsed.error is None, parsed.error
    return facts_from_objects(parsed.objects)


@pytest.mark.parametrize(
    ("api_version", "kind", "spec", "long_running", "replicas"),
    [
        ("v1", "Pod", POD_SPEC, True, None),
        ("v1", "ReplicationController", f"{{replicas: 2, template: {{spec: {POD_SPEC}}}}}",
         True, 2),
        ("apps/v1", "Deployment", f"{{replicas: 3, template: {{spec: {POD_SPEC}}}}}", True, 3),
        ("apps/v1", "StatefulSet", f"{{template: {{spec: {POD_SPEC}}}}}", True, None),
        ("apps/v1", "DaemonSet", f"{{template: {{spec: {POD_SPEC}}}}}", True, None),
        ("apps/v1", "ReplicaSet", f"{{replicas: 1, template: {{spec: {POD_SPEC}}}}}", True, 1),
        ("batch/v1", "Job", f"{{template: {{spec: {POD_SPEC}}}}}", False, None),
        ("batch/v1", "CronJob", f"{{jobTemplate: {{spec: {{template: {{spec: {POD_SPEC}}}}}}}}}",
         False, None),
        ("argoproj.io/v1alpha1", "Rollout", f"{{replicas: 4, template: {{spec: {POD_SPEC}}}}}",
         True, 4),
    ],
)  # fmt: skip
def test_every_workload_kind_is_normalised(
    api_version: str, kind: str, spec: str, long_running: bool, replicas: int | None
) -> None:
    found = facts(f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: w}}\nspec: {spec}\n")
    (workload,) = found.workloads
    assert (workload.kind, workload.long_running, workload.replicas) == (
        kind,
        long_running,
        replicas,
    )
    (container,) = workload.template.containers
    assert (container.image, container.readiness_probe) == ("app:1", True)
    assert workload.template.restart_policy == "Always"  # the API server's default


def test_fact_families() -> None:
    found = facts("""\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}}
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: knative, namespace: shop}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  tls: [{hosts: [shop.example]}]
  rules: [{host: shop.example, http: {paths: [{backend: {service: {name: web}}}]}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: shop}
spec: {hostnames: [a.example], rules: [{backendRefs: [{name: web}]}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: istio-gw, namespace: shop}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec: {scaleTargetRef: {kind: Deployment, name: web}, minReplicas: 2}
---
apiVersion: autoscaling.k8s.io/v1
kind: VerticalPodAutoscaler
metadata: {name: web, namespace: shop}
spec: {targetRef: {kind: Deployment, name: web}}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: worker, namespace: shop}
spec: {scaleTargetRef: {name: worker}, minReplicaCount: 0}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: shop}
roleRef: {kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: app, namespace: shop}]
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: shop}
---
apiVersion: v1
kind: LimitRange
metadata: {name: l, namespace: shop}
""")
    assert [(s.object.name, s.type) for s in found.services] == [("web", "ClusterIP")]
    assert {(r.object.kind, r.hosts, r.backends, r.tls) for r in found.routes} == {
        ("Ingress", ("shop.example",), ("web",), True),
        ("HTTPRoute", ("a.example",), ("web",), False),
    }
    assert {(s.scaler, s.target_kind, s.target_name, s.min_replicas) for s in found.scalers} == {
        ("hpa", "Deployment", "web", 2),
        ("vpa", "Deployment", "web", None),
        ("keda", "Deployment", "worker", 0),
    }
    assert [p.object.name for p in found.pdbs] == ["web"]
    assert [p.object.name for p in found.network_policies] == ["deny"]
    assert [(r.object.kind, r.rules[0].verbs) for r in found.roles] == [("ClusterRole", ("list",))]
    assert [(b.role_kind, b.role_name, b.subjects[0].name) for b in found.bindings] == [
        ("ClusterRole", "reader", "app")
    ]
    (shop,) = found.namespaces
    assert shop.declared is not None
    assert (len(shop.quotas), len(shop.limit_ranges), len(shop.network_policies)) == (1, 1, 1)


# One representative object per inventory capability name (API group *and* kind).
CAPABILITY_OBJECTS = {
    "argocd": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\n",
    "flux": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: a}\n",
    "cert-manager": "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: a}\n",
    "istio": "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: a}\n",
    "linkerd": "apiVersion: policy.linkerd.io/v1alpha1\nkind: MeshTLSAuthentication\n"
    "metadata: {name: a}\n",
    "spire": "apiVersion: spire.spiffe.io/v1alpha1\nkind: ClusterSPIFFEID\nmetadata: {name: a}\n",
    "falco": "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: falco}\nspec:\n"
    "  template: {spec: {containers: [{name: f, image: 'falcosecurity/falco:0.37.1'}]}}\n",
    "kyverno": "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: a}\n",
    "gatekeeper": "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n"
    "metadata: {name: a}\n",
    "prometheus-operator": "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\n"
    "metadata: {name: a}\n",
    "opentelemetry": "apiVersion: opentelemetry.io/v1beta1\nkind: OpenTelemetryCollector\n"
    "metadata: {name: a}\n",
    "crossplane": "apiVersion: pkg.crossplane.io/v1\nkind: Provider\nmetadata: {name: a}\n",
    "cluster-api": "apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\nmetadata: {name: a}\n",
    "karmada": "apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\n"
    "metadata: {name: a}\n",
    "capsule": "apiVersion: capsule.clastix.io/v1beta2\nkind: Tenant\nmetadata: {name: a}\n",
    "keda": "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata: {name: a}\n",
    "dapr": "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: a}\n",
    "litmus": "apiVersion: litmuschaos.io/v1alpha1\nkind: ChaosEngine\nmetadata: {name: a}\n",
    "chaos-mesh": "apiVersion: chaos-mesh.org/v1alpha1\nkind: PodChaos\nmetadata: {name: a}\n",
    "external-secrets": "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\n"
    "metadata: {name: a}\n",
    "sealed-secrets": "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: a}\n",
    "hpa": "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: a}\n",
    "vpa": "apiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler\nmetadata: {name: a}\n",
    "pdb": "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: a}\n",
    "network-policy": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
    "metadata: {name: a}\n",
}


def test_every_inventory_capability_has_an_example() -> None:
    assert set(CAPABILITY_OBJECTS) == set(INVENTORY_CAPABILITIES)


@pytest.mark.parametrize("name", sorted(CAPABILITY_OBJECTS))
def test_capability_is_recognised(name: str) -> None:
    assert {c.name for c in facts(CAPABILITY_OBJECTS[name]).capabilities} == {name}


@pytest.mark.parametrize(
    ("name", "image"),
    [
        ("cert-manager", "quay.io/jetstack/cert-manager-controller:v1.16.1"),
        ("crossplane", "xpkg.crossplane.io/crossplane/crossplane:v1.18.0"),
        ("istio", "docker.io/istio/pilot:1.24.0"),
        ("kyverno", "ghcr.io/kyverno/kyverno:v1.13.0"),
        ("flux", "ghcr.io/fluxcd/source-controller:v1.4.1"),
        ("chaos-mesh", "ghcr.io/chaos-mesh/chaos-daemon:v2.7.2"),
        ("chaos-mesh", "ghcr.io/chaos-mesh/chaos-dashboard:v2.7.2"),
        ("spire", "ghcr.io/spiffe/spire-ha-agent:0.3.0"),
        ("spire", "ghcr.io/spiffe/oidc-discovery-provider:1.15.3"),
        ("spire", "ghcr.io/spiffe/spiffe-csi-driver:0.2.7"),
        ("spire", "ghcr.io/spiffe/spiffe-helper:0.8.0"),
        ("spire", "gcr.io/spiffe-io/spire-server:1.5.0"),  # as in aws/eks-charts
        ("spire", "gcr.io/spiffe-io/spire-agent:1.5.0"),
        ("spire", "gcr.io/spiffe-io/k8s-workload-registrar:1.2.0"),
    ],
)
def test_a_projects_own_controller_image_reveals_it(name: str, image: str) -> None:
    found = facts(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c}\nspec:\n"
        f"  template: {{spec: {{containers: [{{name: c, image: '{image}'}}]}}}}\n"
    )
    assert {c.name for c in found.capabilities} == {name}


@pytest.mark.parametrize(
    "image",
    [
        "ghcr.io/fluxcd/flagger:1.38.0",
        "ghcr.io/kyverno/kyverno-cli:v1.13.0",
        "ghcr.io/chaos-mesh/web-show",  # a demo application to break, not a component
    ],
)
def test_other_images_of_an_organisation_reveal_nothing(image: str) -> None:
    found = facts(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c}\nspec:\n"
        f"  template: {{spec: {{containers: [{{name: c, image: '{image}'}}]}}}}\n"
    )
    assert found.capabilities == ()


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("cert-manager", "apiVersion: certmanager.k8s.io/v1alpha1\nkind: Certificate\n"),
        ("network-policy", "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\n"),
    ],
)
def test_older_api_groups_of_a_capability(name: str, text: str) -> None:
    found = facts(text + "metadata: {name: a, namespace: shop}\n")
    assert {c.name for c in found.capabilities} == {name}
    if name == "network-policy":
        assert [n.name for n in found.namespaces if n.network_policies] == ["shop"]


@pytest.mark.parametrize(
    "text",
    [
        # Same kind names under other API groups are not these capabilities.
        "apiVersion: example.com/v1\nkind: Application\nmetadata: {name: a}\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: a}\n",
        "apiVersion: example.com/v1\nkind: Certificate\nmetadata: {name: a}\n",
        "apiVersion: example.com/v1\nkind: NetworkPolicy\nmetadata: {name: a}\n",
        "apiVersion: dapr.example.org/v1\nkind: Component\nmetadata: {name: a}\n",
    ],
)
def test_kind_names_alone_prove_nothing(text: str) -> None:
    assert facts(text).capabilities == ()


@pytest.mark.parametrize(
    ("metadata", "name"),
    [
        ("{annotations: {linkerd.io/inject: enabled}}", "linkerd"),
        ("{annotations: {dapr.io/enabled: 'true', dapr.io/app-id: web}}", "dapr"),
        ("{labels: {sidecar.istio.io/inject: 'true'}}", "istio"),
        ("{annotations: {sidecar.istio.io/inject: 'True'}}", "istio"),
        ("{annotations: {linkerd.io/inject: disabled, dapr.io/enabled: 'false'}}", None),
        # Linkerd and Dapr read annotations only: such a label injects nothing.
        ("{labels: {linkerd.io/inject: enabled, dapr.io/enabled: 'true'}}", None),
    ],
)
def test_pods_opting_in_to_a_sidecar_reveal_its_project(metadata: str, name: str | None) -> None:
    found = facts(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        f"spec: {{template: {{metadata: {metadata}, spec: {POD_SPEC}}}}}\n"
    )
    assert [c.name for c in found.capabilities] == ([name] if name else [])


@pytest.mark.parametrize(
    "text",
    [
        "apiVersion: instance.falcosecurity.dev/v1alpha1\nkind: Falco\nmetadata: {name: a}\n",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: rulesfiles.artifact.falcosecurity.dev}\n"
        "spec: {group: artifact.falcosecurity.dev, names: {kind: Rulesfile}}\n",
    ],
)
def test_falco_operator_api_groups_reveal_falco(text: str) -> None:
    assert {c.name for c in facts(text).capabilities} == {"falco"}


def test_the_vpa_install_reveals_the_vpa() -> None:
    crd = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: verticalpodautoscalers.autoscaling.k8s.io}\n"
        "spec: {group: autoscaling.k8s.io,"
        " names: {kind: VerticalPodAutoscaler, plural: verticalpodautoscalers}}\n"
    )
    recommender = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: vpa-recommender}\n"
        "spec: {template: {spec: {containers: [{name: r,"
        " image: 'registry.k8s.io/autoscaling/vpa-recommender:1.7.1'}]}}}\n"
    )
    checkpoint = crd.replace("VerticalPodAutoscaler,", "VerticalPodAutoscalerCheckpoint,")
    assert [(c.name, c.detail) for c in facts(crd).capabilities] == [
        ("vpa", "CRD VerticalPodAutoscaler.autoscaling.k8s.io")
    ]
    assert [(c.name, c.detail) for c in facts(recommender).capabilities] == [
        ("vpa", "image registry.k8s.io/autoscaling/vpa-recommender:1.7.1")
    ]
    assert facts(checkpoint).capabilities == ()


def test_crds_reveal_projects() -> None:
    crd = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: scaledobjects.keda.sh}\n"
        "spec: {group: keda.sh, names: {kind: ScaledObject, plural: scaledobjects}}\n"
    )
    assert [(c.name, c.detail) for c in facts(crd).capabilities] == [
        ("keda", "CRD ScaledObject.keda.sh")
    ]
