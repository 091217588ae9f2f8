"""Repository rules (`repo.*`): one module per rule, docstring = user documentation.

Every rule works on `cnmm.facts.repository.RepositoryFacts`. Presence rules give one finding
per scanned directory (subject `Repository/<path>`); Dockerfile and Terraform rules one per
file, module call or configuration. Helpers shared by several rules live in modules whose
name starts with `_` (they define no rule).
"""
