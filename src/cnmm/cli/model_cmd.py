"""`cnmm model ...`: browse, search and export the maturity model catalog."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

from cnmm.cli.output import fail, load_catalog_or_exit, make_console, print_json

if TYPE_CHECKING:
    from rich.console import Console

    from cnmm.catalog import Catalog, Dimension, Level, Project

model_app = typer.Typer(
    help="Browse, search and export the CNMM 4.0 catalog: aspects, dimensions, levels, "
    "criteria, the CNCF projects the model names, and its supporting guidance (business "
    "KPI examples, CNCF certifications, prerequisites / readiness checklist). Every command "
    "takes --format json.",
    no_args_is_help=True,
)


class ListFormat(StrEnum):
    terminal = "terminal"
    json = "json"


class ExportFormat(StrEnum):
    json = "json"
    yaml = "yaml"
    markdown = "markdown"
    csv = "csv"


FORMAT_OPTION = typer.Option(
    ListFormat.terminal, "--format", "-f", help="terminal (default) or json for machines."
)


@model_app.command("list")
def list_model(fmt: ListFormat = FORMAT_OPTION) -> None:
    """Show the aspect -> dimension tree with criterion counts per level."""
    catalog = load_catalog_or_exit()
    if fmt is ListFormat.json:
        print_json(
            {
                "model": {"name": catalog.name, "version": catalog.version},
                "aspects": [
                    {
                        "id": a.id,
                        "name": a.name,
                        "dimensions": [
                            {
                                "id": d.id,
                                "name": d.name,
                                "criteria": sum(len(lv.criteria) for lv in d.levels),
                                "criteria_per_level": {
                                    str(lv.level): len(lv.criteria) for lv in d.levels
                                },
                                "undefined_levels": [lv.level for lv in d.levels if not lv.defined],
                            }
                            for d in a.dimensions
                        ],
                    }
                    for a in catalog.aspects
                ],
            }
        )
        return
    from rich.tree import Tree

    tree = Tree(f"{catalog.name} {catalog.version}")
    for aspect in catalog.aspects:
        count = sum(len(list(d.criteria())) for d in aspect.dimensions)
        branch = tree.add(f"[bold]{aspect.name}[/] ({aspect.id}, {count} criteria)")
        for d in aspect.dimensions:
            per_level = " ".join(str(len(lv.criteria)) if lv.defined else "-" for lv in d.levels)
            branch.add(f"{d.id}  [dim]{per_level}[/]")
    console = make_console()
    console.print(tree)
    console.print("[dim]Numbers: criteria at levels 1-5 ('-' = not defined by the model).[/]")


@model_app.command("show")
def show(
    item_id: str = typer.Argument(..., metavar="ID", help="An aspect, dimension or criterion ID."),
    fmt: ListFormat = FORMAT_OPTION,
) -> None:
    """Show an aspect, a dimension (five levels and criteria), a level, a criterion or a project.

    IDs: `policy` (aspect), `people.ai` (dimension), `people.ai.l5` (one level),
    `technology.container-runtime.l2.base-image-policy` (criterion), `Falco` (project).
    """
    from cnmm.catalog import Aspect, Dimension
    from cnmm.catalog.export import aspect_json, criterion_json, dimension_json

    catalog = load_catalog_or_exit()
    item = catalog.find(item_id)
    if item is None:
        cell = _find_level(catalog, item_id)
        if cell is not None:
            _show_level(catalog, *cell, fmt=fmt)
            return
        project = _find_project(catalog, item_id)
        if project is not None:
            _show_project(catalog, project, fmt=fmt)
            return
        from difflib import get_close_matches

        known = [d.id for d in catalog.dimensions()] + [a.id for a in catalog.aspects]
        known += [c.id for c in catalog.criteria()] + list(catalog.projects)
        close = get_close_matches(item_id, known, n=3)
        hint = f" Did you mean: {', '.join(close)}?" if close else " See `cnmm model list`."
        fail(f"no aspect, dimension, level, criterion or project {item_id!r}.{hint}", code=1)
    if fmt is ListFormat.json:
        if isinstance(item, Aspect):
            print_json(aspect_json(catalog, item))
        elif isinstance(item, Dimension):
            print_json(dimension_json(catalog, item))
        else:
            print_json(criterion_json(catalog, item))
        return
    console = make_console()
    if isinstance(item, Aspect):
        console.print(f"[bold]{item.name}[/] ({item.id})\n{item.description}")
        console.print(f"[dim]source: {item.source.cite()}[/]\n")
        for number, text in sorted(item.level_overview.items()):
            console.print(f"[bold]Level {number}[/]: {text}")
        console.print("\nDimensions:")
        for d in item.dimensions:
            console.print(f"  {d.id}  {d.name}")
        readiness = _readiness_for(catalog, item.id)
        if readiness:
            console.print("\nReady to start? Typical signs (`cnmm model prerequisites`):")
            for entry in readiness:
                _bullet(console, " ".join(entry["statement"].split()), "-")
        if item.id == "business":
            console.print("\nKPI examples per level: `cnmm model kpis`.")
        if item.id == "people":
            console.print("CNCF certifications per level: `cnmm model certifications`.")
    elif isinstance(item, Dimension):
        console.print(f"[bold]{item.name}[/] ({item.id})")
        console.print(f"{item.description}\n[dim]source: {item.source.cite()}[/]")
        for level in item.levels:
            console.rule(f"Level {level.level}: {level.name}", align="left")
            console.print(level.summary)
            if not level.defined:
                console.print("[italic]Not defined by the model: scored as not applicable.[/]")
            for c in level.criteria:
                detail = f"{c.id} · effort {c.effort}"
                if c.evidence.rules:
                    detail += f" · evidence: {', '.join(c.evidence.rules)}"
                _bullet(console, c.statement, detail=detail)
    else:
        c = item
        console.print(f"[bold]{c.statement}[/]\n")
        rows = [
            ("id", c.id),
            ("dimension", c.dimension),
            ("level", str(c.level)),
            ("question", c.question),
            ("effort", c.effort),
            ("remediation", c.remediation),
            ("evidence", ", ".join(c.evidence.rules) or "self-assessment only"),
            ("threshold", "" if c.evidence.threshold is None else f"{c.evidence.threshold:g}"),
            (
                "projects",
                ", ".join(f"{p} ({catalog.projects[p].maturity})" for p in c.projects) or "-",
            ),
            ("levels", f"{c.dimension} level {c.level}: `cnmm model show {c.dimension}`"),
            ("source", c.source.cite()),
        ]
        for key, value in rows:
            console.print(f"[bold]{key:>11}[/]  {value}", markup=True)


@model_app.command("search")
def search(
    words: list[str] = typer.Argument(
        ..., metavar="TEXT...", help="Words to find (all must match)."
    ),
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="Most results to show."),
    fmt: ListFormat = FORMAT_OPTION,
) -> None:
    """Search statements, questions, level summaries and project names, best match first."""
    from cnmm.catalog.search import search_catalog

    text = " ".join(words)
    hits = search_catalog(load_catalog_or_exit(), text, limit=limit)
    if fmt is ListFormat.json:
        print_json(
            {
                "query": text,
                "results": [
                    {
                        "id": h.id,
                        "kind": h.kind,
                        "title": h.title,
                        "score": h.score,
                        "matched_fields": [name for name, _ in h.fields],
                    }
                    for h in hits
                ],
            }
        )
        return
    console = make_console()
    if not hits:
        console.print(f"No match for {text!r}.")
        raise typer.Exit(0)
    from rich.table import Table
    from rich.text import Text

    for hit in hits:
        head = Text(f"{hit.id}  ", style="bold", overflow="fold")
        head.append(f"[{hit.kind}, score {hit.score:g}]", style="dim")
        console.print(head)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=13, justify="right", no_wrap=True, style="dim")
        grid.add_column()
        # the id is already the heading; show the two most telling other fields
        shown = [f for f in hit.fields if f[0] != "id"][:2]
        if not shown and hit.kind == "criterion":
            shown = [("statement", hit.title)]  # only the id matched: still say what it is
        for name, value in shown:
            line = Text(" ".join(value.split()))
            line.highlight_words(words, style="reverse", case_sensitive=False)
            grid.add_row(name, line)
        console.print(grid)


@model_app.command("projects")
def projects(fmt: ListFormat = FORMAT_OPTION) -> None:
    """Every project the model names, its CNCF maturity, and where it appears."""
    from cnmm.catalog.export import project_usage

    catalog = load_catalog_or_exit()
    usage = project_usage(catalog)
    if fmt is ListFormat.json:
        print_json({"as_of": catalog.projects_as_of, "projects": usage})
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    table.add_column("project", no_wrap=True)
    table.add_column("maturity", no_wrap=True)
    table.add_column("where (dimensions)", overflow="fold")
    for p in usage:
        mark = "" if p.get("verified", True) else "*"
        maturity = p["maturity"] + mark
        if p.get("kind") == "product":
            maturity += " (product)"
        table.add_row(p["name"], maturity, "\n".join(p["dimensions"]) or "-")
    console = make_console()
    console.print(table)
    console.print(
        f"[dim]CNCF maturity as of {catalog.projects_as_of}; * = last known stage, not "
        "re-confirmed on that date. Details: cnmm model show NAME.[/]"
    )


@model_app.command("kpis")
def kpis(
    level: int | None = typer.Option(None, "--level", "-l", min=1, max=5, help="Only this level."),
    fmt: ListFormat = FORMAT_OPTION,
) -> None:
    """Business-outcome KPI examples per level (from the Business Outcomes paper)."""
    data = load_catalog_or_exit().kpis
    levels = [lv for lv in data["levels"] if level is None or lv["level"] == level]
    if fmt is ListFormat.json:
        print_json({"source": data["source"], "levels": levels})
        return
    console = make_console()
    console.print("[dim]Examples to adapt to your goals, not targets.[/]")
    for lv in levels:
        console.rule(f"Level {lv['level']}: {lv['name']}", align="left")
        console.print(" ".join(lv["focus"].split()))
        for kpi in lv["kpis"]:
            _bullet(console, kpi["text"], detail=f"{kpi['kind']}, {kpi['theme']}")


@model_app.command("certifications")
def certifications(
    level: int | None = typer.Option(
        None,
        "--level",
        "-l",
        min=1,
        max=5,
        help="Only certifications the model ties to this level.",
    ),
    fmt: ListFormat = FORMAT_OPTION,
) -> None:
    """CNCF certifications and the maturity levels at which the model recommends them."""
    catalog = load_catalog_or_exit()
    data = catalog.certification_guidance
    certs = [c for c in catalog.certifications if level is None or level in c["levels"]]
    if fmt is ListFormat.json:
        print_json(
            {"source": data["source"], "guidance": data["guidance"], "certifications": certs}
        )
        return
    from rich.table import Table

    console = make_console()
    console.print(data["guidance"] + "\n")
    table = Table("id", "name", "levels", "requires", box=None, pad_edge=False)
    for cert in certs:
        levels = ", ".join(str(n) for n in cert["levels"]) or "-"
        table.add_row(cert["id"], cert["name"], levels, ", ".join(cert["requires"]) or "-")
    console.print(table)
    console.print("[dim]levels '-': the model names it without tying it to a level.[/]")


@model_app.command("prerequisites")
def prerequisites(
    aspect: str | None = typer.Option(
        None, "--aspect", "-a", help="Only the readiness signs of this aspect (e.g. people)."
    ),
    fmt: ListFormat = FORMAT_OPTION,
) -> None:
    """The model's prerequisites and its 'when is the right time' readiness checklist."""
    catalog = load_catalog_or_exit()
    data = catalog.prerequisites
    aspects = [a.id for a in catalog.aspects]
    if aspect is not None and aspect not in aspects:
        fail(f"unknown aspect {aspect!r}; one of: {', '.join(aspects)}", code=2)
    groups = [g for g in data["readiness"] if aspect is None or g["aspect"] == aspect]
    if fmt is ListFormat.json:
        print_json(
            {
                "source": data["source"],
                "prerequisites": data["prerequisites"],
                "readiness_source": data["readiness_source"],
                "readiness": groups,
            }
        )
        return
    console = make_console()
    console.rule("Before you start", align="left")
    for item in data["prerequisites"]:
        _bullet(console, " ".join(item["statement"].split()), "[ ]")
    console.rule("When is the right time? Signs you are ready to start", align="left")
    for group in groups:
        console.print(f"[bold]{group['aspect']}[/]")
        for item in group["items"]:
            _bullet(console, " ".join(item["statement"].split()), "-")


def _bullet(console: Console, text: str, mark: str = "•", detail: str | None = None) -> None:
    """One list item with a hanging indent, so wrapped lines stay under the text."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=len(mark) + 2, justify="right", no_wrap=True)
    grid.add_column()
    body = Text(text)
    if detail:
        body.append("\n" + detail, style="dim")
    grid.add_row(mark, body)
    console.print(grid)


def _find_level(catalog: Catalog, item_id: str) -> tuple[Dimension, Level] | None:
    """`<dimension>.l<N>` -> that dimension and level, as search results name levels."""
    head, _, tail = item_id.rpartition(".")
    if not (tail.startswith("l") and tail[1:].isdigit() and 1 <= int(tail[1:]) <= 5):
        return None
    found = catalog.find(head)
    from cnmm.catalog import Dimension

    if not isinstance(found, Dimension):
        return None
    return found, found.level(int(tail[1:]))


def _show_level(catalog: Catalog, dimension: Dimension, level: Level, fmt: ListFormat) -> None:
    from cnmm.catalog.export import level_json

    if fmt is ListFormat.json:
        print_json({"dimension": dimension.id, **level_json(catalog, level)})
        return
    console = make_console()
    console.print(f"[bold]{dimension.name}[/] ({dimension.id}), level {level.level}: {level.name}")
    console.print(level.summary)
    if not level.defined:
        console.print("[italic]Not defined by the model: scored as not applicable.[/]")
    for c in level.criteria:
        _bullet(console, c.statement, detail=f"{c.id} · effort {c.effort}\nQ: {c.question}")


def _find_project(catalog: Catalog, name: str) -> Project | None:
    """A project by name or alias, ignoring case."""
    wanted = name.lower()
    for project in catalog.projects.values():
        if wanted in (n.lower() for n in (project.name, *project.aliases)):
            return project
    return None


def _show_project(catalog: Catalog, project: Project, fmt: ListFormat) -> None:
    from cnmm.catalog.export import project_usage

    usage = next(p for p in project_usage(catalog) if p["name"] == project.name)
    if fmt is ListFormat.json:
        print_json({"as_of": catalog.projects_as_of, **usage})
        return
    console = make_console()
    console.print(f"[bold]{project.name}[/]: {project.description}")
    state = project.maturity + ("" if project.verified else " (last known stage)")
    rows = [
        ("CNCF", f"{state}, as of {catalog.projects_as_of}"),
        ("kind", project.kind + (f", part of {project.part_of}" if project.part_of else "")),
        ("url", project.url or "-"),
        ("named in", ", ".join(usage["criteria"]) or "no criterion (mentioned in the text only)"),
    ]
    for key, value in rows:
        console.print(f"[bold]{key:>9}[/]  ", end="")
        console.print(value, markup=False)


def _readiness_for(catalog: Catalog, aspect_id: str) -> list[dict[str, Any]]:
    for group in (catalog.prerequisites or {}).get("readiness", []):
        if group["aspect"] == aspect_id:
            return list(group["items"])
    return []


@model_app.command("export")
def export(
    fmt: ExportFormat = typer.Option(
        ExportFormat.json, "--format", "-f", help="json, yaml, markdown (a handbook) or csv."
    ),
    output: str = typer.Option(
        "-", "--output", "-o", help="File to write; '-' for standard output."
    ),
) -> None:
    """Export the full catalog, with projects, KPIs, certifications and prerequisites.

    JSON contract: docs/catalog-format.md. Markdown is a readable handbook with a table of
    contents; CSV has one row per criterion.
    """
    import json

    from cnmm.catalog.export import catalog_csv, catalog_json, catalog_markdown

    catalog = load_catalog_or_exit()
    if fmt is ExportFormat.json:
        text = json.dumps(catalog_json(catalog), indent=2, ensure_ascii=False) + "\n"
    elif fmt is ExportFormat.yaml:
        import yaml

        text = yaml.safe_dump(catalog_json(catalog), sort_keys=False, allow_unicode=True, width=100)
    elif fmt is ExportFormat.markdown:
        text = catalog_markdown(catalog)
    else:
        text = catalog_csv(catalog)
    if output == "-":
        typer.echo(text, nl=False)
    else:
        from pathlib import Path

        Path(output).write_text(text, encoding="utf-8")
        make_console(stderr=True).print(f"wrote {output}")


def register(app: typer.Typer) -> None:
    """Add `cnmm model ...` to the app."""
    app.add_typer(model_app, name="model")
