"""`cnmm questionnaire`, `cnmm validate` and `cnmm score`: self-assessment as code."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cnmm.cli.output import fail, load_catalog_or_exit, make_console, print_json

if TYPE_CHECKING:
    from cnmm.assessment.loader import Problem
    from cnmm.assessment.model import Assessment
    from cnmm.catalog import Catalog, Dimension
    from cnmm.config import Config
    from cnmm.scoring import AssessmentScore

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL, EXIT_CANNOT = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130

QUESTIONNAIRE_HELP = """\
Answer the maturity model for one scope (an organisation, a team or an application), in the
terminal, and keep the answers as a reviewable YAML file ("assessment as code").

Interactive (default): choose the scope, quick or detailed mode and the aspects. Quick mode
shows the five level summaries of each dimension and asks which fits best (in between two
levels? pick the lower one). Detailed mode asks each criterion: met, partial, not met, not
applicable or unknown; you can also skip it or add a note. The file is written after every
answer, so Ctrl-C loses nothing; --resume FILE continues with the first unanswered item.

--template writes a blank, commented file for people who prefer an editor; --format
markdown prints a questionnaire to use in a workshop.

Exit codes: 0 done (or saved and stopped with q); 2 usage error or an invalid --resume
file; 4 the model catalog could not be loaded; 130 interrupted (answers are saved).


Examples:
  cnmm questionnaire -o payments.yaml
  cnmm questionnaire --resume payments.yaml
  cnmm questionnaire --template --detailed --aspect technology -o payments.yaml
  cnmm questionnaire --format markdown --aspect people > workshop.md
"""

VALIDATE_HELP = """\
Check assessment files: structure (the JSON Schema in
src/cnmm/assessment/schema/assessment.schema.json) and meaning (known dimension and
criterion IDs, criteria under their own dimension, levels 0..5, the model version). Every
problem of every file is reported as FILE:LINE: what is wrong.

Exit codes: 0 all files valid; 1 at least one file invalid; 2 usage error; 4 the model
catalog could not be loaded.


Examples:
  cnmm validate teams/*.yaml
  cnmm validate payments.yaml --format json
"""

SCORE_HELP = """\
Score assessment files with the gated method (docs/scoring.md): a level counts only when it
and every level below it are met. For each dimension: the level, progress toward the next
level, confidence (lowered by `unknown` answers) and basis (self-reported for quick answers,
self-assessed for detailed ones). Per aspect and overall: the floor (weakest dimension) and
the median, never an average. Several files (e.g. three teams) are shown side by side.

Settings (partial credit, confidence thresholds, aspect weights for the median) come from
cnmm.yaml: --config, or the nearest cnmm.yaml upwards from the current directory.

Exit codes: 0 scored; 2 usage error or every file invalid; 3 scored, but some files were
invalid (reported on stderr); 4 the model catalog could not be loaded.


Examples:
  cnmm score payments.yaml
  cnmm score teams/payments.yaml teams/checkout.yaml teams/search.yaml
  cnmm score payments.yaml --format json
"""


class QuestionnaireFormat(StrEnum):
    terminal = "terminal"
    markdown = "markdown"
    yaml = "yaml"


class OutputFormat(StrEnum):
    terminal = "terminal"
    json = "json"


class ScopeKind(StrEnum):
    organisation = "organisation"
    team = "team"
    application = "application"


def _dimensions(catalog: Catalog, aspects: list[str]) -> list[Dimension]:
    from difflib import get_close_matches

    from cnmm.assessment.render import select_dimensions

    try:
        return select_dimensions(catalog, aspects)
    except KeyError as exc:
        bad = str(exc.args[0])
        known = [a.id for a in catalog.aspects] + [d.id for d in catalog.dimensions()]
        close = get_close_matches(bad, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f" (aspects: {', '.join(known[:5])})"
        fail(f"--aspect {bad!r} is neither an aspect nor a dimension{hint}", code=EXIT_USAGE)


def _emit(text: str, output: Path | None) -> None:
    import sys

    if output is None:
        sys.stdout.write(text)
        return
    from cnmm.assessment.writer import write_text_atomic

    try:
        write_text_atomic(output, text)
    except OSError as exc:
        fail(f"{output}: cannot write: {exc.strerror or exc}", code=EXIT_CANNOT)
    make_console(stderr=True).print(f"Wrote {output}", markup=False)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "assessment"


def _free_path(name: str) -> Path:
    base = _slug(name)
    candidate = Path(f"{base}.yaml")
    number = 2
    while candidate.exists():
        candidate = Path(f"{base}-{number}.yaml")
        number += 1
    return candidate


class RichTerminal:
    """The questionnaire's terminal: rich output, line input."""

    def __init__(self) -> None:
        self.console = make_console()

    def show(self, *objects: Any) -> None:
        """Print each object (markup allowed)."""
        for item in objects:
            self.console.print(item)

    def ask(self, prompt: str) -> str:
        """Read one line after a prompt."""
        return self.console.input(f"[bold cyan]{prompt}[/]")


def _config(config_path: Path | None) -> Config:
    from cnmm.config import ConfigError, find_config, load_config

    try:
        return load_config(config_path if config_path else find_config(Path.cwd()))
    except ConfigError as exc:
        fail(str(exc), code=EXIT_USAGE)


def _score(assessment: Assessment, catalog: Catalog, config: Config) -> AssessmentScore:
    """Score one assessment with cnmm.yaml's scoring settings."""
    from cnmm.scoring import score_assessment

    settings = config.scoring
    return score_assessment(
        assessment,
        catalog,
        partial_credit=settings.partial_credit,
        quick_confidence=settings.quick_confidence,
        aspect_weights=settings.aspect_weights,
    )


def _print_problems(problems: list[Problem], stderr: bool) -> None:
    console = make_console(stderr=stderr)
    for problem in problems:
        console.print(str(problem), markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `questionnaire`, `validate` and `score` to the app."""

    @app.command(
        "questionnaire",
        help=QUESTIONNAIRE_HELP,
        short_help="Self-assessment in the terminal (Ctrl-C safe), templates, workshop sheets.",
    )
    def questionnaire(
        output: Path = typer.Option(
            None, "--output", "-o", help="File to write [default: <scope name>.yaml]."
        ),
        resume: Path = typer.Option(
            None, "--resume", help="Continue an assessment file with its first unanswered item."
        ),
        template: bool = typer.Option(
            False, "--template", help="Write a blank, commented file instead of asking."
        ),
        detailed: bool = typer.Option(
            None,
            "--detailed/--quick",
            help="Detailed (each criterion) or quick (one level per dimension) [default: ask; "
            "quick for --template and markdown].",
        ),
        aspects: list[str] = typer.Option(
            [],
            "--aspect",
            "-a",
            help="Aspect or dimension ID to include (repeatable) "
            "[default: ask; all for --template and markdown].",
        ),
        kind: ScopeKind = typer.Option(None, "--kind", help="Scope kind [default: ask]."),
        name: str = typer.Option(None, "--name", help="Scope name [default: ask]."),
        parent: str = typer.Option(None, "--parent", help="Organisation or team it belongs to."),
        fmt: QuestionnaireFormat = typer.Option(
            QuestionnaireFormat.terminal,
            "--format",
            "-f",
            help="terminal (interactive), yaml (same as --template) or markdown (workshop).",
        ),
    ) -> None:
        from datetime import date

        from cnmm.assessment.model import Scope

        catalog = load_catalog_or_exit()
        if fmt is QuestionnaireFormat.yaml:
            template = True
        if resume is not None and (template or fmt is QuestionnaireFormat.markdown):
            fail("--resume continues an interactive session; drop --template/--format", 2)
        if resume is not None and output is not None:
            fail("--resume FILE writes back to FILE; drop -o/--output", code=EXIT_USAGE)
        if fmt is QuestionnaireFormat.markdown:
            from cnmm.assessment.render import render_markdown

            dims = _dimensions(catalog, aspects)
            _emit(render_markdown(catalog, dims, detailed=bool(detailed)), output)
            return
        if output is not None and output.exists():
            fail(
                f"{output} exists; continue it with --resume {output}, or choose another -o",
                code=EXIT_USAGE,
            )
        if template:
            from cnmm.assessment.render import blank_assessment, render_assessment

            dims = _dimensions(catalog, aspects)
            blank = blank_assessment(
                catalog,
                dims,
                detailed=bool(detailed),
                scope=Scope(
                    kind=(kind or ScopeKind.team).value, name=name or "my-team", parent=parent
                ),
                today=date.today(),
            )
            _emit(render_assessment(blank, catalog), output)
            return
        _interactive(catalog, output, resume, detailed, aspects, kind, name, parent)

    @app.command(
        "validate", help=VALIDATE_HELP, short_help="Check assessment files; errors as FILE:LINE."
    )
    def validate(
        files: list[Path] = typer.Argument(None, metavar="FILE", help="Assessment files."),
        fmt: OutputFormat = typer.Option(
            OutputFormat.terminal, "--format", "-f", help="terminal (default) or json."
        ),
    ) -> None:
        from cnmm.assessment.loader import check_assessment
        from cnmm.report.summary import plural

        if not files:
            fail("give at least one assessment FILE to validate", code=EXIT_USAGE)
        catalog = load_catalog_or_exit()
        reports = []
        for path in files:
            assessment, problems = check_assessment(path, catalog)
            entry: dict[str, Any] = {
                "file": str(path),
                "valid": not problems,
                "problems": [p.to_json() for p in problems],
            }
            if assessment is not None:
                entry["scope"] = assessment.scope.to_json()
                entry["dimensions"] = {
                    "quick": sum(a.mode == "quick" for a in assessment.answers.values()),
                    "detailed": sum(a.mode == "detailed" for a in assessment.answers.values()),
                }
                entry["unanswered"] = assessment.pending_count(catalog)
            reports.append((entry, problems))
        invalid = sum(not entry["valid"] for entry, _ in reports)
        if fmt is OutputFormat.json:
            print_json({"valid": invalid == 0, "files": [entry for entry, _ in reports]})
        else:
            console = make_console()
            for entry, problems in reports:
                if problems:
                    console.print(
                        f"{entry['file']}: invalid "
                        f"({plural(len(problems), 'problem', 'problems')})",
                        markup=False,
                        soft_wrap=True,
                    )
                    _print_problems(problems, stderr=False)
                else:
                    dims = entry["dimensions"]
                    text = (
                        f"{entry['file']}: valid ({entry['scope']['kind']} "
                        f"{entry['scope']['name']}; {dims['quick']} quick, {dims['detailed']} "
                        f"detailed dimensions; {plural(entry['unanswered'], 'item', 'items')} "
                        "unanswered)"
                    )
                    console.print(text, markup=False, soft_wrap=True)
            if len(reports) > 1:
                console.print(f"{len(reports)} files, {invalid} invalid", markup=False)
        raise typer.Exit(EXIT_FAILED if invalid else EXIT_OK)

    @app.command(
        "score",
        help=SCORE_HELP,
        short_help="Gated levels, floor and median from assessment files, side by side.",
    )
    def score(
        files: list[Path] = typer.Argument(None, metavar="FILE", help="Assessment files."),
        fmt: OutputFormat = typer.Option(
            OutputFormat.terminal, "--format", "-f", help="terminal (default) or json."
        ),
        config_path: Path = typer.Option(
            None, "--config", help="cnmm.yaml to use [default: nearest cnmm.yaml upwards]."
        ),
    ) -> None:
        from cnmm.assessment.loader import check_assessment

        if not files:
            fail("give at least one assessment FILE to score", code=EXIT_USAGE)
        config = _config(config_path)
        catalog = load_catalog_or_exit()
        unknown_aspects = set(config.scoring.aspect_weights) - {a.id for a in catalog.aspects}
        if unknown_aspects:
            fail(
                f"cnmm.yaml scoring.aspect_weights: unknown aspect(s) "
                f"{', '.join(sorted(unknown_aspects))}",
                code=EXIT_USAGE,
            )
        results = []
        all_problems: list[Problem] = []
        for path in files:
            assessment, problems = check_assessment(path, catalog)
            if assessment is None:
                all_problems.extend(problems)
                continue
            results.append(_score(assessment, catalog, config))
        if all_problems:
            _print_problems(all_problems, stderr=True)
        if fmt is OutputFormat.json:
            print_json(
                {
                    "assessments": [r.to_json() for r in results],
                    "errors": [p.to_json() for p in all_problems],
                }
            )
        elif results:
            _print_scores(results, catalog, config.scoring.low_confidence)
        if not results:
            raise typer.Exit(EXIT_USAGE)
        raise typer.Exit(EXIT_PARTIAL if all_problems else EXIT_OK)


def _print_scores(results: list[Any], catalog: Catalog, low_confidence: float) -> None:
    from cnmm.assessment.view import heading, rollup_table, score_table, side_by_side

    console = make_console()
    if len(results) == 1:
        result = results[0]
        console.print(heading(result))
        console.print(score_table(result, catalog, low_confidence))
        console.print(rollup_table(result, catalog))
        console.print(
            "[dim]Levels are gated: a level counts only when it and every level below it are "
            "met. Progress is toward the next level; confidence drops with unknown answers.[/]"
        )
        return
    for number, result in enumerate(results, start=1):
        console.print(f"{number}. {heading(result)}")
    levels, rollups = side_by_side(results, catalog, low_confidence)
    console.print(levels)
    console.print(rollups)
    console.print(
        "[dim]* self-reported (quick answer)  ? confidence below "
        f"{low_confidence:.0%}  n/a not applicable  - not answered. "
        "Use --format json or one file at a time for progress and confidence.[/]"
    )


def _interactive(
    catalog: Catalog,
    output: Path | None,
    resume: Path | None,
    detailed: bool | None,
    aspects: list[str],
    kind: ScopeKind | None,
    name: str | None,
    parent: str | None,
) -> None:
    from datetime import date

    from rich.markup import escape as esc

    from cnmm import questionnaire as flow
    from cnmm.assessment.loader import check_assessment
    from cnmm.assessment.writer import save_assessment

    term = RichTerminal()
    if aspects:
        _dimensions(catalog, aspects)  # usage errors before any question
    if resume is not None:
        loaded, problems = check_assessment(resume, catalog)
        if loaded is None:
            _print_problems(problems, stderr=True)
            fail(f"{resume} is not a valid assessment file; fix it and resume again", 2)
        assessment: Assessment = loaded
        path = resume
        term.show(
            f"Resuming [bold]{esc(assessment.scope.name)}[/] ({assessment.scope.kind}) from "
            f"{esc(str(path))}: "
            f"{assessment.pending_count(catalog)} items unanswered."
        )
    else:
        try:
            assessment = flow.setup(
                catalog,
                term,
                today=date.today(),
                kind=kind.value if kind else None,
                name=name,
                parent=parent,
                detailed=detailed,
                aspects=aspects,
            )
        except (flow.Quit, KeyboardInterrupt):
            make_console(stderr=True).print("\nStopped before any answer; nothing was written.")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        path = output or _free_path(assessment.scope.name)
        if path.exists():
            fail(f"{path} exists; continue it with --resume {path}", code=EXIT_USAGE)

    def save(updated: Assessment) -> None:
        save_assessment(path, updated, catalog)

    try:
        save(assessment)
    except OSError as exc:
        fail(f"{path}: cannot write: {exc.strerror or exc}", code=EXIT_CANNOT)
    term.show(f"Answers are saved to [bold]{esc(str(path))}[/] after every question.")
    try:
        outcome = flow.run(assessment, catalog, term, save)
    except KeyboardInterrupt:
        make_console(stderr=True).print(
            f"\nInterrupted. Every answer so far is saved in {path}.\n"
            f"Continue with: cnmm questionnaire --resume {path}",
            markup=False,
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    remaining = outcome.assessment.pending_count(catalog)
    term.show(
        f"\n{outcome.answered} answered, {outcome.skipped} skipped this session; "
        f"saved to [bold]{esc(str(path))}[/]."
    )
    if remaining:
        term.show(f"{remaining} items still open: cnmm questionnaire --resume {esc(str(path))}")
    if any(a.answered for a in outcome.assessment.answers.values()):
        config = _config(None)
        result = _score(outcome.assessment, catalog, config)
        _print_scores([result], catalog, config.scoring.low_confidence)
    term.show(f"Check it: cnmm validate {esc(str(path))}   Score it: cnmm score {esc(str(path))}")
