"""Evidence collectors, one module per source (files, manifests, Kustomize, Helm, cluster, git)."""
