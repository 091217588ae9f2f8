package kubernetes.admission_test

import rego.v1

import data.kubernetes.admission

test_root_denied if {
	count(admission.deny) == 1 with input as {"request": {"kind": {"kind": "Pod"}, "object": {"spec": {}}}}
}
