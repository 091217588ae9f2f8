"""Kubernetes configuration rules (`k8s.*`): one module per rule, docstring = user documentation.

Every rule works on `cnmm.facts.kubernetes.KubernetesFacts`, so it judges manifests, rendered
Kustomize/Helm output and live clusters alike. Helpers shared by several rules live in
`_common` (which defines no rule).
"""
