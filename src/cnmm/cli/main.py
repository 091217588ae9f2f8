"""The `cnmm` Typer application: each command group lives in its own module."""

from __future__ import annotations

import typer

from cnmm.cli import assess_cmd, assessment_cmd, model_cmd, scan_cmd

HELP = """\
cnmm: the CNCF Cloud Native Maturity Model (CNMM 4.0) as working software.

Find out, with evidence, where each team and application stands on every dimension of the
model, what to do next, and how that maps to business outcomes.

Start with `cnmm assess --example`, browse the model with `cnmm model list`.

Exit codes (all commands): 0 success; 1 completed but something failed (failing findings,
invalid file, a --fail-under gate); 2 usage error; 3 completed but some inputs could not be
read (results are partial); 4 could not run at all (nothing readable, cluster unreachable).
"""


def _version(value: bool) -> None:
    if value:
        from cnmm import MODEL_VERSION, __version__

        typer.echo(f"cnmm {__version__} (model {MODEL_VERSION})")
        raise typer.Exit()


def build_app() -> typer.Typer:
    """Assemble the application from the command modules."""
    app = typer.Typer(
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def root(
        version: bool = typer.Option(
            False,
            "--version",
            "-V",
            callback=_version,
            is_eager=True,
            help="Print the cnmm and model versions and exit.",
        ),
    ) -> None:
        """cnmm: the CNCF Cloud Native Maturity Model as working software."""

    for module in (model_cmd, assessment_cmd, scan_cmd, assess_cmd):
        module.register(app)
    return app
