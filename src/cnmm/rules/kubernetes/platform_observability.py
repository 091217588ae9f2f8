"""k8s.platform.observability: Observability objects present.

One finding for the whole scan (subject `Configuration/kubernetes`).

- **Passes**: Prometheus Operator objects (ServiceMonitor, PodMonitor, PrometheusRule,
  Prometheus, ...)
or OpenTelemetry Operator objects (OpenTelemetryCollector, Instrumentation) are present.
- **Fails**: none of them is found. The judgement covers only what was scanned: point cnmm at
  the platform repository or a cluster to see platform-level objects.
- **Not applicable**: no Kubernetes object at all was scanned (nothing to judge).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import presence


@rule(
    "k8s.platform.observability",
    title="Observability objects present",
    remediation="""Declare scraping and alerting with ServiceMonitors/PrometheusRules or an
    OpenTelemetryCollector next to the workloads.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding for the scan."""
    yield from presence(
        facts,
        ("prometheus-operator", "opentelemetry"),
        "Observability configuration",
        "no Prometheus Operator or OpenTelemetry objects",
    )
