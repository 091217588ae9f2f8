"""`cnmm scan PATH...`: evidence from Kubernetes configuration (and git repositories, clusters)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from cnmm.cli.output import fail, make_console, print_json

SCAN_HELP = """\
Collect evidence from Kubernetes configuration, git repositories and live clusters:
manifests (YAML/JSON, multi-document, *List kinds), Kustomize directories (rendered with
`kubectl kustomize`), Helm charts (rendered with `helm template` or the helm-python-sdk
package); in every directory also CI/CD pipelines (GitHub Actions, GitLab CI, Jenkins,
Tekton, Azure Pipelines, CircleCI, Cloud Build, Argo Workflows), Dockerfiles,
Terraform/OpenTofu and other IaC, policy-as-code files, practices (CODEOWNERS, SECURITY.md,
ADRs, runbooks, Dependabot/Renovate, Backstage, pre-commit) and, in git repositories, the
delivery history within --since (DORA-style proxies); optionally a live cluster (--cluster,
read-only: get and list only, Secret values never read).

Facts are judged by the k8s.* and repo.* rules (docs/rules-kubernetes.md,
docs/repository.md); each finding is pass, fail, not-applicable, not-available or error,
with the file and line.
Exemptions come from cnmm.yaml (rule, subject glob, reason, optional expiry) and from the
annotations cnmm.io/exempt: "<rule>[,<rule>]" and cnmm.io/exempt-reason.

Skipped: .git, node_modules, vendor and similar trees, files matched by --exclude or a
.cnmmignore. Unreadable inputs (bad YAML, binary, too large, alias bombs, symlink loops...)
become file errors; the scan goes on. A kustomization file or Chart.yaml given as a path
stands for its directory, a path inside a chart's templates/ for the chart (with a warning).


Exit codes:
  0  scanned, no failing findings
  1  scanned, with failing findings (exempted failures do not count)
  2  usage error (bad option, unreadable cnmm.yaml)
  3  scanned, but some files could not be read (takes precedence over 1)
  4  could not scan at all (no readable input, cluster unreachable)
A missing or failing renderer (kubectl, Helm) is reported under `renderers` and in the
summary, with the reason; it does not change the exit code.


Examples:
  cnmm scan deploy/                       terminal summary
  cnmm scan . --format json > scan.json   full result, schema cnmm/scan/v1 (docs/scan.md)
  cnmm scan charts/web --values prod.yaml --format sarif > cnmm.sarif
  kubectl get deploy -A -o yaml | cnmm scan -
  cnmm scan --cluster --context prod --namespace shop
"""


class ScanFormat(StrEnum):
    terminal = "terminal"
    json = "json"
    sarif = "sarif"


def register(app: typer.Typer) -> None:
    """Add `cnmm scan` to the app."""

    @app.command("scan", help=SCAN_HELP, no_args_is_help=False)
    def scan(
        paths: list[str] = typer.Argument(
            None, help="Files or directories to scan; `-` reads manifests from stdin."
        ),
        include: list[str] = typer.Option(
            [], "--include", help="Only read files matching this glob (repeatable)."
        ),
        exclude: list[str] = typer.Option(
            [], "--exclude", help="Skip files/directories matching this glob (repeatable)."
        ),
        values: list[str] = typer.Option(
            [],
            "--values",
            help="Helm values file for every chart, or CHART_DIR=FILE for one "
            "(repeatable, applied in order).",
        ),
        max_file_size: int = typer.Option(
            None,
            "--max-file-size",
            min=1,
            help="Skip (as a file error) files larger than this many bytes [default: 10 MiB].",
        ),
        config_path: Path = typer.Option(
            None, "--config", help="cnmm.yaml to use [default: nearest cnmm.yaml upwards]."
        ),
        fmt: ScanFormat = typer.Option(
            ScanFormat.terminal,
            "--format",
            "-f",
            help="terminal (summary), json (schema cnmm/scan/v1) or sarif (SARIF 2.1.0).",
        ),
        since: str = typer.Option(
            None, "--since", help="Git history window for repository evidence (e.g. 90d)."
        ),
        no_history: bool = typer.Option(
            False,
            "--no-history",
            help="Do not read git history (delivery figures are then not available).",
        ),
        no_render: bool = typer.Option(
            False, "--no-render", help="Do not render Kustomize/Helm; read plain files only."
        ),
        cluster: bool = typer.Option(
            False, "--cluster", help="Also read a live cluster (read-only, list requests only)."
        ),
        context: str = typer.Option(None, "--context", help="kubeconfig context (--cluster)."),
        kubeconfig: str = typer.Option(None, "--kubeconfig", help="kubeconfig file (--cluster)."),
        namespaces: list[str] = typer.Option(
            [], "--namespace", "-n", help="Limit the cluster scan to a namespace (repeatable)."
        ),
    ) -> None:
        from cnmm.config import ConfigError, find_config, load_config
        from cnmm.scan import STDIN, ScanRequest, read_stdin, run_scan, without_cyclic_gc

        paths = list(paths or [])
        if not paths and not cluster:
            fail("give at least one PATH (or - for stdin), or --cluster", code=2)
        if (context or kubeconfig or namespaces) and not cluster:
            fail("--context, --kubeconfig and --namespace need --cluster", code=2)
        check_since(since)
        try:
            if config_path is None:
                first_dir = next((Path(p) for p in paths if p != STDIN and Path(p).is_dir()),
                                 Path.cwd())  # fmt: skip
                config_path = find_config(first_dir)
            config = load_config(config_path)
        except ConfigError as exc:
            fail(str(exc), code=2)
        request = ScanRequest(
            paths=tuple(paths),
            include=tuple(include),
            exclude=tuple(exclude),
            values=tuple(values),
            max_file_size=max_file_size,
            config=config,
            since=since,
            history=not no_history,
            render=not no_render,
            cluster=cluster,
            context=context,
            kubeconfig=kubeconfig,
            namespaces=list(namespaces),
            stdin_text=read_stdin() if STDIN in paths else None,
        )
        with without_cyclic_gc():  # the report is as many small objects again
            result = _run_with_progress(request, run_scan)
            if fmt is ScanFormat.json:
                print_json(result.to_json())
            elif fmt is ScanFormat.sarif:
                from cnmm.report.sarif import findings_to_sarif
                from cnmm.rules.base import discover_rules

                print_json(findings_to_sarif(result.findings, discover_rules()))
            else:
                _print_terminal(result)
        err = make_console(stderr=True)
        for warning in result.warnings:
            err.print(f"warning: {warning}", markup=False)
        if result.fatal:
            err.print(f"error: {result.fatal}", markup=False)
        raise typer.Exit(result.exit_code)


def check_since(since: str | None) -> None:
    """Exit 2 with the reason when `--since` is not a window or date cnmm understands."""
    if since is None:
        return
    from datetime import UTC, datetime

    from cnmm.collect.repository.history import parse_since

    try:
        parse_since(since, datetime.now(UTC))
    except ValueError as exc:
        fail(str(exc), code=2)


# What the progress bar says while a scan stage without a file count runs.
_STAGES = {
    "render": "rendering Kustomize/Helm",
    "cluster": "reading the cluster",
    "repository": "reading repositories",
    "history": "reading git history",
}


def _run_with_progress(request, run_scan):
    """Run the scan with a progress bar on stderr when stderr is a terminal."""
    if not sys.stderr.isatty():
        return run_scan(request)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        console=make_console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("reading files", total=None)

        def progress(stage: str, advance: int, total: int | None) -> None:
            if stage == "read":
                bar.update(task, advance=advance, total=total, description="reading files")
            elif stage in _STAGES:
                bar.update(task, description=_STAGES[stage])

        return run_scan(request, progress)


def _print_terminal(result) -> None:
    from rich.table import Table

    console = make_console()
    summary = result.summary()
    inventory = result.inventory()
    kube = inventory["kubernetes"]
    work = inventory["workloads"]
    console.print(
        f"Scanned {summary['files_read']} files: {kube['objects']} objects "
        f"({kube['rendered_objects']} rendered), {work['total']} workloads.",
        markup=False,
    )
    if result.cluster is not None:
        info = result.cluster
        console.print(
            f"Cluster {info.get('name')} (context {info.get('context')}, {info.get('server')}, "
            f"Kubernetes {info.get('server_version') or 'version unknown'}): "
            f"{len(result.cluster_objects)} objects read.",
            markup=False,
        )
        for resource, reason in (info.get("unavailable") or {}).items():
            console.print(f"not available: {resource}: {reason}", markup=False)
    by_rule: dict[str, dict[str, int]] = {}
    for finding in result.findings:
        counts = by_rule.setdefault(finding.rule, {})
        key = "exempted" if finding.outcome.value == "fail" and not finding.counts_as_failure \
            else finding.outcome.value  # fmt: skip
        counts[key] = counts.get(key, 0) + 1
    table = Table("rule", "pass", "fail", "n/a", "exempt", "other", title="Findings by rule")
    for rule_id, counts in sorted(by_rule.items()):
        other = counts.get("not-available", 0) + counts.get("error", 0)
        table.add_row(rule_id, *(str(counts.get(k, 0) or "") for k in
                                 ("pass", "fail", "not-applicable", "exempted")),
                      str(other or ""))  # fmt: skip
    if by_rule:
        console.print(table)
    failing = [f for f in result.findings if f.counts_as_failure]
    for finding in failing[:30]:
        where = f" ({finding.location})" if finding.location else ""
        console.print(f"FAIL {finding.rule} {finding.subject}{where}: {finding.message}",
                      markup=False)  # fmt: skip
    if len(failing) > 30:
        console.print(f"... and {len(failing) - 30} more failing findings (use --format json)")
    for error in result.errors:
        console.print(f"ERROR {error.path}: {error.reason}", markup=False)
    for name, status in result.renderers.items():
        if status.get("status") not in ("not-available", "failed", "partial"):
            continue
        if status.get("reason"):
            console.print(f"renderer {name}: {status['status']} ({status['reason']})",
                          markup=False)  # fmt: skip
            continue
        entries = [e for e in status.get("directories", []) + status.get("charts", [])
                   if e.get("status") != "rendered"]  # fmt: skip
        for entry in entries[:10]:
            console.print(f"renderer {name}: {entry['path']}: {entry['status']} "
                          f"({entry.get('reason', '')})", markup=False)  # fmt: skip
        if len(entries) > 10:
            console.print(f"renderer {name}: ... and {len(entries) - 10} more (--format json)")
    by = summary["by_outcome"]
    console.print(
        f"{by['pass']} pass, {summary['failing']} failing, {summary['exempted']} exempted, "
        f"{by['not-applicable']} not applicable, {by['not-available']} not available, "
        f"{by['error']} errors; {summary['file_errors']} file errors. "
        f"Exit code {summary['exit_code']}.",
        markup=False,
    )
