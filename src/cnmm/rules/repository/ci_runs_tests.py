"""repo.ci.runs-tests: CI runs a real test command.

A pipeline that only builds (or only lints) does not catch regressions. Only real test
commands count, found by reading the commands the pipelines run, never by searching text:
`pytest`, `go test`, `npm test`/`yarn test`/`pnpm test` (when package.json's test script is
more than npm's `echo "Error: no test specified"` placeholder), `mvn test`/`verify`/
`install` (not with `-DskipTests`), `gradle test`/`check`/`build` (not with `-x test`),
`make test` (followed into the Makefile), `cargo test`, `dotnet test`, `tox`/`nox` test
environments, `ctest`, `bazel test`, `rspec`, `phpunit`, `jest`, `vitest`, `ginkgo`,
`chainsaw test` and many more (see `cnmm.collect.ci.commands`). `echo "pytest"`, a
commented-out step or a step disabled with `if: false` does not count.

One finding per scanned directory (subject `Repository/<path>`).

- **Passes**: a pipeline step runs a test command; the message names where.
- **Fails**: pipelines exist but none of their steps runs tests (remote reusable workflows,
  shared libraries and scripts fetched at run time cannot be followed; the message lists
  them).
- **Not applicable**: no CI pipeline in the directory (repo.ci.present fails instead).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.ci import TEST
from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.repository._ci import presence


@rule(
    "repo.ci.runs-tests",
    title="CI runs a real test command",
    remediation="""Add a test step to the pipeline that runs the project's test suite, e.g.
    `run: go test ./...`, `run: pytest`, `run: npm test` or `run: make test`.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from presence(facts, TEST, "tests run in CI", "no pipeline step runs a test command")
