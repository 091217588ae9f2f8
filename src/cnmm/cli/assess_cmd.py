"""`cnmm assess`, `cnmm report`, `cnmm roadmap` and `cnmm diff`: the main job and its outputs."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from cnmm.cli.output import fail, load_catalog_or_exit, make_console

ASSESS_HELP = """\
Assess where a team or application stands on every dimension of the CNCF Cloud Native
Maturity Model: evidence from Kubernetes configuration, git repositories and (with --cluster)
a live cluster is combined with people's answers (assessment files, see `cnmm questionnaire`).

For each criterion you get a verdict and its basis (evidence, answer, both agreeing, or a
conflict); for each dimension the gated level (a level counts only when it and every level
below are met), progress toward the next level, confidence and basis; per aspect and overall
the floor and median. Answers that evidence contradicts are listed as discrepancies; the
policy (answers stand but are flagged, or evidence overrides) is set in cnmm.yaml
(assess.discrepancy_policy). A roadmap lists the unmet criteria up to each dimension's target,
with the CNCF projects that help and the business-outcome KPIs of the levels worked on.

Several --answers files give one assessment each (e.g. one per team), side by side; with
--out, one HTML report per scope plus index.html. A dimension with neither answers nor
evidence is shown as not assessed and left out of the roll-ups.

Targets: --target N sets every dimension; otherwise --targets FILE, the answers file and
cnmm.yaml (most specific ID wins), then cnmm.yaml's assess.default_target (3).

Exit codes:
  0  assessed (and every --fail-under gate met)
  1  assessed, but a --fail-under gate was not met (each is printed on stderr)
  2  usage error: bad option, invalid answers file or cnmm.yaml
  3  assessed, but some inputs could not be read or one of several answers files was
     invalid (each is listed; a failed gate takes precedence)
  4  could not assess at all (no readable input, cluster unreachable, PDF unavailable)

Examples:
  cnmm assess --example                        the bundled example organisation; the HTML
                                               report goes to ./cnmm-report/
  cnmm assess . --answers team.yaml --out report/
  cnmm assess deploy/ --format json > assessment.json
  cnmm assess . -a team.yaml --fail-under technology.security-policy=2 --fail-under overall=1
  cnmm assess --cluster --context prod --answers platform.yaml --out report/
"""

EXIT_OK = 0
EXIT_GATE = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_CANNOT = 4
EXAMPLE_OUT = Path("cnmm-report")


class ReportFormat(StrEnum):
    terminal = "terminal"
    markdown = "markdown"
    html = "html"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    pdf = "pdf"


class TextFormat(StrEnum):
    terminal = "terminal"
    markdown = "markdown"
    json = "json"


def example_dir() -> Path:
    """The bundled example organisation (inside the installed package)."""
    from importlib import resources

    return Path(str(resources.files("cnmm") / "examples" / "acme"))


def example_pairs() -> list[tuple[Path | None, list[str]]]:
    """(answers file, evidence paths) for each team of the example organisation."""
    root = example_dir()
    return [
        (root / "teams" / "payments.yaml", [str(root / "repos" / "payments")]),
        (root / "teams" / "checkout.yaml", [str(root / "repos" / "checkout")]),
    ]


def parse_gates(specs: list[str], catalog: Any) -> list[tuple[str, int]]:
    """`ID=LEVEL` gates: a dimension id, an aspect id or `overall`; ValueError when invalid."""
    gates = []
    known = {d.id for d in catalog.dimensions()} | {a.id for a in catalog.aspects} | {"overall"}
    for spec in specs:
        name, sep, value = spec.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not value.isdigit() or not 0 <= int(value) <= 5:
            raise ValueError(f"--fail-under {spec!r}: expected ID=LEVEL with LEVEL 0..5")
        if name not in known:
            from difflib import get_close_matches

            close = get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"--fail-under {spec!r}: unknown dimension or aspect {name!r}{hint}")
        gates.append((name, int(value)))
    return gates


def failed_gates(doc: dict[str, Any], gates: list[tuple[str, int]]) -> list[str]:
    """Which gates one assessment document misses (aspects and overall: their floor).

    A gate on a dimension that is not applicable is met; one on a dimension nobody assessed
    is missed, since nothing shows the level was reached.
    """
    missed = []
    dims = {d["id"]: d for d in doc["dimensions"]}
    aspects = {a["id"]: a for a in doc["aspects"]}
    for name, level in gates:
        if name in dims:
            if not dims[name]["applicable"]:
                continue
            actual = dims[name]["level"] if dims[name]["assessed"] else None
        elif name in aspects:
            actual = aspects[name]["floor"]
        else:
            actual = doc["overall"]["floor"]
        if actual is None or actual < level:
            shown = "not assessed" if actual is None else f"at level {actual}"
            missed.append(f"{doc['scope']['name']}: {name} is {shown}, below {level}")
    return missed


def _load_json(path: Path) -> dict[str, Any]:
    """A saved assessment document, validated; exits 2 with a clear message when it is not."""
    from cnmm.report.render import DocumentError, validate_document

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"{path}: no such file", code=EXIT_USAGE)
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read: {exc}", code=EXIT_USAGE)
    except json.JSONDecodeError as exc:
        fail(f"{path}:{exc.lineno}: not JSON: {exc.msg}", code=EXIT_USAGE)
    try:
        validate_document(data)
    except DocumentError as exc:
        fail(f"{path}: {exc}", code=EXIT_USAGE)
    return dict(data)


def _safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name).strip(".") or "scope"


def write_out(data: dict[str, Any], out: Path) -> list[Path]:
    """Write assessment.json and the HTML report(s) into `out`; return the paths written.

    One scope: report.html. Several: one <scope>.html each plus index.html, the side-by-side
    overview linking to them.
    """
    from cnmm.report.html import render_html, render_set_html
    from cnmm.report.render import documents

    out.mkdir(parents=True, exist_ok=True)
    written = [out / "assessment.json"]
    written[0].write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    docs = documents(data)
    if len(docs) == 1:
        path = out / "report.html"
        path.write_text(render_html(docs[0]), encoding="utf-8")
        return [*written, path]
    names: list[str] = []
    for doc in docs:
        base = _safe_name(str(doc["scope"].get("name", "")))
        name = f"{base}.html"
        counter = 2
        while name in names or name == "index.html":
            name = f"{base}-{counter}.html"
            counter += 1
        names.append(name)
        (out / name).write_text(render_html(doc, back_link="index.html"), encoding="utf-8")
    index = out / "index.html"
    index.write_text(render_set_html(data, links=names), encoding="utf-8")
    return [*written, index, *(out / n for n in names)]


def _emit(payload: str | bytes, output: Path | None) -> None:
    if output is not None:
        if isinstance(payload, bytes):
            output.write_bytes(payload)
        else:
            output.write_text(payload if payload.endswith("\n") else payload + "\n",
                              encoding="utf-8")  # fmt: skip
        return
    if isinstance(payload, bytes):
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(payload if payload.endswith("\n") else payload + "\n")


def _render(data: dict[str, Any], fmt: str) -> str | bytes:
    """Render for stdout; exits 4 when PDF support is missing."""
    from cnmm.report.pdf import PdfUnavailable
    from cnmm.report.render import render

    console = make_console()
    color = sys.stdout.isatty() and fmt == "terminal"
    try:
        return render(data, fmt, width=min(console.width, 120), color=color)
    except PdfUnavailable as exc:
        fail(str(exc), code=EXIT_CANNOT)


class _Progress:
    """Progress on stderr while scopes are scanned, shown only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        self.bar: Any = None
        self.task: Any = None
        self.total = total
        if sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                console=make_console(stderr=True), transient=True,
            )  # fmt: skip
            self.bar.start()
            self.task = self.bar.add_task("assessing", total=total)

    def scope(self, index: int, label: str) -> Any:
        """A callback for run_scan that shows which scope and stage is running."""
        if self.bar is None:
            return None
        prefix = f"[{index + 1}/{self.total}] {label}"
        self.bar.update(self.task, description=f"{prefix}: starting")

        def progress(stage: str, advance: int, total: int | None) -> None:
            words = {"read": "reading files", "render": "rendering Kustomize/Helm",
                     "cluster": "reading the cluster"}  # fmt: skip
            self.bar.update(self.task, description=f"{prefix}: {words.get(stage, stage)}")

        return progress

    def done_one(self) -> None:
        """One scope finished."""
        if self.bar is not None:
            self.bar.advance(self.task)

    def stop(self) -> None:
        """Remove the bar."""
        if self.bar is not None:
            self.bar.stop()


def run_assessment(
    *,
    pairs: list[tuple[Path | None, list[str]]],
    config: Any,
    catalog: Any,
    cluster: dict[str, Any],
    targets: dict[str, int],
    default_target: int | None,
    since: str | None,
    history: bool = True,
) -> tuple[dict[str, Any] | None, list[str], list[dict[str, Any]], str | None]:
    """Collect once per distinct set of paths and assess every answers file.

    Returns (document or None, invalid answers files' messages, unreadable inputs, fatal).
    """
    from cnmm import __version__
    from cnmm.assess import AssessmentInputs, assess, assessment_json, assessment_set
    from cnmm.assessment.loader import AssessmentError, load_assessment
    from cnmm.scan import ScanRequest, run_scan

    scans: dict[tuple[str, ...], Any] = {}
    docs = []
    invalid: list[str] = []
    all_errors: list[dict[str, Any]] = []
    fatal = None
    generated = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    progress = _Progress(len(pairs))
    try:
        for index, (answers_path, paths) in enumerate(pairs):
            answers = None
            if answers_path is not None:
                try:
                    answers = load_assessment(answers_path, catalog)
                except AssessmentError as exc:
                    invalid.append(str(exc))
                    progress.done_one()
                    continue
                except OSError as exc:
                    invalid.append(f"{answers_path}: cannot read: {exc}")
                    progress.done_one()
                    continue
            key = tuple(paths)
            if key not in scans and (paths or cluster.get("cluster")):
                label = answers.scope.name if answers else (paths[0] if paths else "cluster")
                request = ScanRequest(
                    paths=key, config=config, since=since, history=history, **cluster
                )
                scans[key] = run_scan(request, progress.scope(index, label))
            scan = scans.get(key)
            if scan is not None and scan.fatal:
                fatal = scan.fatal
                break
            if answers is None and scan is not None and scan.errors and _nothing_read(scan):
                # Nothing could be read and nobody answered: there is nothing to assess.
                reasons = "; ".join(f"{e.path}: {e.reason}" for e in scan.errors[:3])
                fatal = f"no readable input: {reasons}"
                break
            findings = scan.findings if scan is not None else []
            errors = [e.to_json() for e in scan.errors] if scan is not None else []
            all_errors.extend(e for e in errors if e not in all_errors)
            result = assess(
                catalog,
                config,
                findings,
                answers,
                targets=targets,
                default_target=default_target,
                inputs=AssessmentInputs(
                    paths=key,
                    cluster=scan.cluster if scan is not None else None,
                    answers=(str(answers_path),) if answers_path else (),
                ),
            )
            docs.append(
                assessment_json(
                    result,
                    catalog,
                    findings=findings,
                    errors=errors,
                    inventory=scan.inventory() if scan is not None else None,
                    rules=scan.rules if scan is not None else None,
                    generated=generated,
                    version=__version__,
                )
            )
            progress.done_one()
    finally:
        progress.stop()
    data = assessment_set(docs) if docs else None
    return data, invalid, all_errors, fatal


def _nothing_read(scan: Any) -> bool:
    """No object, repository or cluster came out of a scan (only file errors)."""
    return (
        not scan.plain_objects
        and not scan.rendered_objects
        and scan.facts.repository is None
        and scan.cluster is None
    )


def _load_targets(path: Path | None, catalog: Any) -> dict[str, int]:
    if path is None:
        return {}
    from cnmm.yamlsource import YamlSourceError, read_sourced_yaml

    try:
        doc = read_sourced_yaml(path)
    except (OSError, YamlSourceError) as exc:
        fail(f"{path}: {exc}", code=EXIT_USAGE)
    data = doc.data.get("targets", doc.data) if isinstance(doc.data, dict) else None
    if not isinstance(data, dict):
        fail(f"{path}: expected a mapping of dimension or aspect ID to a level 1..5",
             code=EXIT_USAGE)  # fmt: skip
    known = {d.id for d in catalog.dimensions()} | {a.id for a in catalog.aspects}
    prefix = ["targets"] if "targets" in doc.data else []
    for key, value in data.items():
        if key not in known:
            fail(f"{doc.where([*prefix, key])}: unknown dimension or aspect {key!r}",
                 code=EXIT_USAGE)  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            fail(f"{doc.where([*prefix, key])}: {key}: target must be a level 1..5, not "
                 f"{value!r}", code=EXIT_USAGE)  # fmt: skip
    return {str(k): int(v) for k, v in data.items()}


def register(app: typer.Typer) -> None:
    """Add `assess`, `report`, `roadmap` and `diff` to the app."""

    @app.command("assess", help=ASSESS_HELP)
    def assess_command(
        paths: list[str] = typer.Argument(
            None, help="Files or directories to collect evidence from (manifests, charts, repos)."
        ),
        answers: list[Path] = typer.Option(
            [], "--answers", "-a", help="Assessment file with people's answers (repeatable)."
        ),
        example: bool = typer.Option(
            False, "--example", help="Assess the bundled example organisation (two teams)."
        ),
        targets_file: Path = typer.Option(
            None, "--targets", help="YAML mapping of dimension/aspect ID to target level."
        ),
        target: int = typer.Option(
            None, "--target", min=1, max=5, help="Target level for every dimension."
        ),
        fmt: ReportFormat = typer.Option(
            ReportFormat.terminal, "--format", "-f", help="Report on stdout (or --output)."
        ),
        output: Path = typer.Option(None, "--output", "-o", help="Write the report here."),
        out: Path = typer.Option(
            None,
            "--out",
            help="Also write assessment.json and the HTML report(s) into DIR "
            "[default with --example: ./cnmm-report].",
        ),
        fail_under: list[str] = typer.Option(
            [],
            "--fail-under",
            help="Gate: ID=LEVEL for a dimension, an aspect (its floor) or `overall` "
            "(repeatable); exit 1 when missed.",
        ),
        config_path: Path = typer.Option(None, "--config", help="cnmm.yaml to use."),
        since: str = typer.Option(None, "--since", help="Git history window (e.g. 90d)."),
        no_history: bool = typer.Option(
            False, "--no-history", help="Do not read git history (no delivery figures)."
        ),
        cluster: bool = typer.Option(False, "--cluster", help="Also read a live cluster."),
        context: str = typer.Option(None, "--context", help="kubeconfig context (--cluster)."),
        kubeconfig: str = typer.Option(None, "--kubeconfig", help="kubeconfig file (--cluster)."),
        namespaces: list[str] = typer.Option(
            [], "--namespace", "-n", help="Limit the cluster scan (repeatable)."
        ),
    ) -> None:
        from cnmm.config import ConfigError, find_config, load_config

        paths = list(paths or [])
        if example and (paths or answers or cluster):
            fail("--example takes no PATH, --answers or --cluster", code=EXIT_USAGE)
        if not example and not paths and not answers and not cluster:
            fail("give PATHs, --answers FILE, --cluster or --example (see --help)",
                 code=EXIT_USAGE)  # fmt: skip
        if (context or kubeconfig or namespaces) and not cluster:
            fail("--context, --kubeconfig and --namespace need --cluster", code=EXIT_USAGE)
        from cnmm.cli.scan_cmd import check_since

        check_since(since)
        if targets_file is not None and target is not None:
            fail("give --targets FILE or --target N, not both", code=EXIT_USAGE)
        for path in [*paths, *map(str, answers)]:
            if path != "-" and not Path(path).exists():
                fail(f"{path}: no such file or directory", code=EXIT_USAGE)
        catalog = load_catalog_or_exit()
        try:
            gates = parse_gates(fail_under, catalog)
        except ValueError as exc:
            fail(str(exc), code=EXIT_USAGE)
        try:
            if config_path is None and not example:
                start = next((Path(p) for p in paths if Path(p).is_dir()), Path.cwd())
                config_path = find_config(start)
            config = load_config(config_path)
        except ConfigError as exc:
            fail(str(exc), code=EXIT_USAGE)
        pairs: list[tuple[Path | None, list[str]]]
        if example:
            pairs = example_pairs()
            out = out or EXAMPLE_OUT
        elif answers:
            pairs = [(a, paths) for a in answers]
        else:
            pairs = [(None, paths)]
        cluster_options = {"cluster": cluster, "context": context, "kubeconfig": kubeconfig,
                           "namespaces": list(namespaces)}  # fmt: skip
        data, invalid, errors, fatal = run_assessment(
            pairs=pairs,
            config=config,
            catalog=catalog,
            cluster=cluster_options,
            targets=_load_targets(targets_file, catalog),
            default_target=target,
            since=since,
            # The bundled example lives inside cnmm's own repository in a source checkout:
            # its history is cnmm's, not the example teams', so it is never read.
            history=not (no_history or example),
        )
        err = make_console(stderr=True)
        for message in invalid:
            err.print(f"error: {message}", markup=False)
        if fatal:
            err.print(f"error: {fatal}", markup=False)
            raise typer.Exit(EXIT_CANNOT)
        if data is None:
            raise typer.Exit(EXIT_USAGE)
        _emit(_render(data, fmt.value), output)
        if out is not None:
            written = write_out(data, out)
            for path in written:
                err.print(f"wrote {path}", markup=False)
            page = next(p for p in written if p.suffix == ".html")
            err.print(f"Open {page} in a browser for the full report.", markup=False)
        for error in errors:
            err.print(f"could not read {error['path']}: {error['reason']}", markup=False)
        from cnmm.report.render import documents

        missed = [m for doc in documents(data) for m in failed_gates(doc, gates)]
        for line in missed:
            err.print(f"gate failed: {line}", markup=False)
        if missed:
            raise typer.Exit(EXIT_GATE)
        raise typer.Exit(EXIT_PARTIAL if errors or invalid else EXIT_OK)

    @app.command("report")
    def report_command(
        file: Path = typer.Argument(..., help="An assessment JSON written by `cnmm assess`."),
        fmt: ReportFormat = typer.Option(
            ReportFormat.terminal, "--format", "-f", help="Output format."
        ),
        output: Path = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
        out: Path = typer.Option(
            None, "--out", help="Also write assessment.json and the HTML report(s) into DIR."
        ),
    ) -> None:
        """Render a saved assessment JSON again, in any format, without rescanning.

        Formats: terminal, markdown, html, json, sarif (SARIF 2.1.0, failing findings with
        file locations), junit (one test case per criterion), pdf (needs the `pdf` extra and
        Chromium). A file with several scopes gives an overview plus every scope.

        Exit codes: 0 rendered; 2 unreadable or invalid file, or bad option; 4 PDF support
        missing (install 'cnmm[pdf]' and Chromium).
        """
        data = _load_json(file)
        _emit(_render(data, fmt.value), output)
        if out is not None:
            for path in write_out(data, out):
                make_console(stderr=True).print(f"wrote {path}", markup=False)

    @app.command("roadmap")
    def roadmap_command(
        file: Path = typer.Argument(
            ..., help="An assessment JSON (`cnmm assess --format json`) or an answers file."
        ),
        fmt: TextFormat = typer.Option(
            TextFormat.terminal, "--format", "-f", help="terminal, markdown or json."
        ),
        horizon: str = typer.Option(None, "--horizon", help="Only now, next or later."),
        target: int = typer.Option(
            None, "--target", min=1, max=5, help="With an answers file: target for every dimension."
        ),
    ) -> None:
        """The next steps toward each dimension's target.

        From a saved assessment JSON, or straight from an answers file (YAML; no evidence is
        collected then). Steps come in gated order: the unmet criteria of the next level
        (now), of the level after (next) and beyond (later), each with remediation, effort,
        the rules that will confirm it and the CNCF projects that help, followed by the
        business-outcome KPIs of the levels being worked on and the model's cost caveat.

        Exit codes: 0 shown; 2 unreadable or invalid file, or bad option.
        """
        if horizon not in (None, "now", "next", "later"):
            fail("--horizon must be now, next or later", code=EXIT_USAGE)
        if file.suffix.lower() in (".yaml", ".yml"):
            data = _assess_answers_only(file, target)
        else:
            if target is not None:
                fail("--target applies to an answers file, not a saved assessment",
                     code=EXIT_USAGE)  # fmt: skip
            data = _load_json(file)
        from cnmm.report.render import documents

        docs = documents(data)
        if fmt is TextFormat.json:
            roadmaps = []
            for doc in docs:
                roadmap = dict(doc["roadmap"])
                roadmap["horizons"] = [
                    h for h in roadmap["horizons"] if horizon in (None, h["name"])
                ]
                roadmaps.append({"scope": doc["scope"], "roadmap": roadmap})
            sys.stdout.write(json.dumps({"roadmaps": roadmaps}, indent=2) + "\n")
            return
        from cnmm.report.roadmap import roadmap_text

        sys.stdout.write(roadmap_text(docs, horizon, markdown=fmt is TextFormat.markdown))

    @app.command("diff")
    def diff_command(
        old: Path = typer.Argument(..., help="Earlier assessment JSON."),
        new: Path = typer.Argument(..., help="Later assessment JSON."),
        fmt: TextFormat = typer.Option(
            TextFormat.terminal, "--format", "-f", help="terminal, markdown or json."
        ),
        fail_on_regression: bool = typer.Option(
            False,
            "--fail-on-regression",
            help="Exit 1 when a level went down, a criterion is no longer met or a "
            "discrepancy appeared.",
        ),
    ) -> None:
        """What moved between two saved assessments.

        Per scope (matched by kind and name): overall and aspect floors and medians,
        dimensions whose level went up or down, criteria newly met or no longer met, and
        discrepancies that appeared or were resolved.

        Exit codes: 0 shown; 1 with --fail-on-regression when something got worse;
        2 unreadable or invalid file.
        """
        from cnmm.diffing import diff_assessments, render_diff_text
        from cnmm.report.render import documents

        changes = diff_assessments(documents(_load_json(old)), documents(_load_json(new)))
        if fmt is TextFormat.json:
            sys.stdout.write(json.dumps(changes, indent=2) + "\n")
        else:
            sys.stdout.write(render_diff_text(changes, markdown=fmt is TextFormat.markdown))
        if fail_on_regression and changes["regressions"]:
            raise typer.Exit(EXIT_GATE)


def _assess_answers_only(path: Path, target: int | None) -> dict[str, Any]:
    """Assess an answers file alone (no evidence), for `cnmm roadmap answers.yaml`."""
    from cnmm.config import ConfigError, find_config, load_config

    if not path.exists():
        fail(f"{path}: no such file", code=EXIT_USAGE)
    try:
        config = load_config(find_config(path.resolve().parent))
    except ConfigError as exc:
        fail(str(exc), code=EXIT_USAGE)
    data, invalid, _errors, _fatal = run_assessment(
        pairs=[(path, [])],
        config=config,
        catalog=load_catalog_or_exit(),
        cluster={"cluster": False},
        targets={},
        default_target=target,
        since=None,
    )
    if data is None:
        fail("\n".join(invalid), code=EXIT_USAGE)
    return data
