"""`cnmm model ...`: browse, search and export the maturity model catalog."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import typer

from cnmm.cli.output import fail, make_console, print_json

if TYPE_CHECKING:
    from cnmm.catalog import Catalog

model_app = typer.Typer(
    help="Browse, search and export the CNMM 4.0 catalog: aspects, dimensions, levels, "
    "criteria and the CNCF projects the model names.",
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


def _catalog() -> Catalog:
    from cnmm.catalog import CatalogError, load_catalog

    try:
        return load_catalog()
    except CatalogError as exc:
        fail(str(exc), code=4)


@model_app.command("list")
def list_model(fmt: ListFormat = FORMAT_OPTION) -> None:
    """Show the aspect -> dimension tree with criterion counts per level."""
    catalog = _catalog()
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
    """Show one aspect, one dimension (its five levels and criteria) or one criterion."""
    from cnmm.catalog import Aspect, Dimension
    from cnmm.catalog.export import aspect_json, criterion_json, dimension_json

    catalog = _catalog()
    item = catalog.find(item_id)
    if item is None:
        from difflib import get_close_matches

        known = [d.id for d in catalog.dimensions()] + [a.id for a in catalog.aspects]
        known += [c.id for c in catalog.criteria()]
        close = get_close_matches(item_id, known, n=3)
        hint = f" Did you mean: {', '.join(close)}?" if close else " See `cnmm model list`."
        fail(f"no aspect, dimension or criterion {item_id!r}.{hint}", code=1)
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
        console.print(f"[bold]{item.name}[/] ({item.id})\n{item.description}\n")
        for number, text in sorted(item.level_overview.items()):
            console.print(f"[bold]Level {number}[/]: {text}")
        console.print("\nDimensions:")
        for d in item.dimensions:
            console.print(f"  {d.id}  {d.name}")
    elif isinstance(item, Dimension):
        console.print(f"[bold]{item.name}[/] ({item.id})")
        console.print(f"{item.description}\n[dim]source: {item.source.cite()}[/]")
        for level in item.levels:
            console.rule(f"Level {level.level}: {level.name}", align="left")
            console.print(level.summary)
            if not level.defined:
                console.print("[italic]Not defined by the model: scored as not applicable.[/]")
            for c in level.criteria:
                console.print(
                    f"  • {c.statement}\n    [dim]{c.id} · effort {c.effort}"
                    + (f" · evidence: {', '.join(c.evidence.rules)}" if c.evidence.rules else "")
                    + "[/]"
                )
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
            ("source", c.source.cite()),
        ]
        for key, value in rows:
            console.print(f"[bold]{key:>11}[/]  {value}")


@model_app.command("search")
def search(
    text: str = typer.Argument(..., help="Words to find (all must match)."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="Most results to show."),
    fmt: ListFormat = FORMAT_OPTION,
) -> None:
    """Search statements, questions, level summaries and project names, best match first."""
    from cnmm.catalog.search import search_catalog

    hits = search_catalog(_catalog(), text, limit=limit)
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
    from rich.text import Text

    words = text.split()
    for hit in hits:
        head = Text(f"{hit.id}  ", style="bold")
        head.append(f"[{hit.kind}, score {hit.score:g}]", style="dim")
        console.print(head)
        for name, value in hit.fields[:2]:
            line = Text(f"    {name}: {value}")
            line.highlight_words(words, style="reverse", case_sensitive=False)
            console.print(line)


@model_app.command("projects")
def projects(fmt: ListFormat = FORMAT_OPTION) -> None:
    """Every project the model names, its CNCF maturity, and where it appears."""
    from cnmm.catalog.export import project_usage

    usage = project_usage(_catalog())
    if fmt is ListFormat.json:
        print_json({"projects": usage})
        return
    from rich.table import Table

    table = Table("project", "maturity", "where (dimensions)", box=None, pad_edge=False)
    for p in usage:
        table.add_row(p["name"], p["maturity"], ", ".join(p["dimensions"]) or "-")
    make_console().print(table)


@model_app.command("export")
def export(
    fmt: ExportFormat = typer.Option(
        ExportFormat.json, "--format", "-f", help="json, yaml, markdown (a handbook) or csv."
    ),
    output: str = typer.Option(
        "-", "--output", "-o", help="File to write; '-' for standard output."
    ),
) -> None:
    """Export the full catalog (JSON contract documented in docs/catalog-format.md)."""
    import json

    from cnmm.catalog.export import catalog_csv, catalog_json, catalog_markdown

    catalog = _catalog()
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
