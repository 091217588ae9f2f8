"""Renders deploy/rbac/cnmm-reader.yaml from cnmm.collect.cluster.reader_policy_rules().

Regenerate after changing NEEDED_RESOURCES:
    python -m tests.cluster.rbac_yaml > deploy/rbac/cnmm-reader.yaml
"""

from __future__ import annotations

from typing import Any

import yaml

from cnmm.collect.cluster import reader_policy_rules

HEADER = """\
# cnmm-reader: the least a live-cluster scan (`cnmm scan --cluster`) needs.
#
# - `list` (never `get`, `watch` or any write) on exactly the resource types cnmm reads;
#   generated from cnmm.collect.cluster.NEEDED_RESOURCES (a test keeps the two identical).
# - Secrets: `list` only (their own rule), and cnmm asks for metadata only
#   (PartialObjectMetadataList). RBAC cannot limit a list to metadata, so whoever holds this
#   token *could* list Secret data: treat the token as sensitive, or delete the `secrets`
#   rule and cnmm reports Secret facts as not-available ("forbidden: list secrets").
#   See docs/cluster.md.
# - Discovery (`get` on /version, /api, /apis): every authenticated user usually has it
#   through system:discovery; repeated here so the role is self-contained.
#
# Apply: kubectl apply -f deploy/rbac/cnmm-reader.yaml
# Token: kubectl -n cnmm create token cnmm-reader
"""


def documents() -> list[dict[str, Any]]:
    """Namespace, ServiceAccount, ClusterRole and ClusterRoleBinding."""
    labels = {"app.kubernetes.io/name": "cnmm"}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "cnmm"}},
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "cnmm-reader", "namespace": "cnmm"},
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": "cnmm-reader", "labels": labels},
            "rules": reader_policy_rules(),
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "cnmm-reader", "labels": labels},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "cnmm-reader",
            },
            "subjects": [{"kind": "ServiceAccount", "name": "cnmm-reader", "namespace": "cnmm"}],
        },
    ]


class _Dumper(yaml.SafeDumper):
    """Short string lists in flow style, everything else in block style."""


def _list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = bool(data) and all(isinstance(x, str) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _list)


def render() -> str:
    """The whole file."""
    body = "---\n".join(
        yaml.dump(d, Dumper=_Dumper, sort_keys=False, width=96) for d in documents()
    )
    return HEADER + "---\n" + body


if __name__ == "__main__":
    print(render(), end="")
