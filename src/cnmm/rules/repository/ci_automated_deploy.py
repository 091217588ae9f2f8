"""repo.ci.automated-deploy: CI/CD deploys automatically (kubectl, helm, argocd, flux).

Counted: `kubectl apply`, `kubectl create|replace -f`, `kubectl set image`,
`kubectl rollout restart|undo` (and `oc`), `helm upgrade|install` (not `--dry-run`,
`helm template` or `helm diff`), `helmfile apply|sync`, `argocd app sync|create|set`,
`flux reconcile|create|bootstrap`, `flux push artifact`, `skaffold run|deploy`,
`ko apply`, `kapp deploy`, `gcloud run deploy`, Cloud Deploy releases, `gke-deploy`,
`kn service create|update`, deploy tasks of Azure Pipelines (HelmDeploy,
KubernetesManifest, Kubernetes) and CircleCI orbs, `azure/k8s-deploy` and similar actions.
A deploy to a throwaway cluster created in the same job (`kind create cluster`,
`minikube start`, `k3d cluster create`, `helm/kind-action`...) is an end-to-end test, not a
deployment, and does not count. GitOps repositories whose changes a controller applies
(Argo CD, Flux) deploy without a CI step: k8s.platform.gitops judges that.

One finding per scanned directory (subject `Repository/<path>`).

- **Passes**: a pipeline step deploys.
- **Fails**: the CI builds images or the directory has a Dockerfile, but nothing deploys.
- **Not applicable**: no CI pipeline, or nothing deployable (no Dockerfile and no image
  build).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.ci import DEPLOY, IMAGE_BUILD, Pipeline
from cnmm.facts.repository import RepositoryFacts, RepositoryRoot
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.repository._ci import of_kind, presence, within


@rule(
    "repo.ci.automated-deploy",
    title="CI/CD deploys automatically",
    remediation="""Deploy from the pipeline after the image is built (`helm upgrade
    --install`, `kubectl apply -k`), or let Argo CD/Flux reconcile the environment from Git
    and have CI update the image tag there.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""

    def applies(root: RepositoryRoot, pipelines: list[Pipeline]) -> str | None:
        if of_kind(pipelines, DEPLOY) or of_kind(pipelines, IMAGE_BUILD):
            return None
        if any(within(d.path, root.path) for d in facts.dockerfiles):
            return None
        return "no Dockerfile and no image build: nothing deployable found"

    yield from presence(
        facts, DEPLOY, "CI deploys", "deployable images exist but no pipeline step deploys", applies
    )
