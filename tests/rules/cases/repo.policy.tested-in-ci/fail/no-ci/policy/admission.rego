package kubernetes.admission

import rego.v1

deny contains msg if {
	input.request.kind.kind == "Pod"
	not input.request.object.spec.securityContext.runAsNonRoot
	msg := "pods must run as non-root"
}
