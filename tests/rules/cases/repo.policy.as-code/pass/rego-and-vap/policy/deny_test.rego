package main

test_denied if {
  deny["containers must not run as root"] with input as {"kind": "Deployment", "spec": {"template": {"spec": {"securityContext": {}}}}}
}
