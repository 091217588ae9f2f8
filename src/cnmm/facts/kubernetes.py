"""Kubernetes facts: raw objects with their origin, normalised into typed records.

`KubeObject` is what every Kubernetes collector (files, Kustomize, Helm, live cluster)
produces; `cnmm.collect.kubernetes_facts.facts_from_objects` turns a set of them into
`KubernetesFacts`, so every rule works unchanged on files and on clusters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class KubeObject:
    """One Kubernetes object and where it came from.

    `origin` is "file" (plain manifest), "kustomize", "helm" (rendered) or "cluster".
    `path`/`line` locate it: a file and 1-based line, or for cluster objects an API reference
    such as `cluster:prod/apps/v1/deployments/shop/web`.
    """

    api_version: str
    kind: str
    name: str
    namespace: str | None
    body: Mapping[str, Any] = field(repr=False, compare=False)
    path: str = ""
    line: int | None = None
    origin: str = "file"

    @property
    def group(self) -> str:
        """API group ("" for the core group)."""
        return self.api_version.rpartition("/")[0] if "/" in self.api_version else ""
