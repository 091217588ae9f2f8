"""Console entry point; answers `--version` before importing anything heavy."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    """Run the `cnmm` command."""
    if sys.argv[1:] in (["--version"], ["-V"]):
        from cnmm import MODEL_VERSION, __version__

        print(f"cnmm {__version__} (model {MODEL_VERSION})")
        return
    from cnmm.cli.main import build_app

    try:
        build_app()(prog_name="cnmm")
    finally:
        # The process ends next: its final garbage collection need not walk everything the
        # command built (a scan's objects: 0.03 s of a 1.8 s scan).
        gc.freeze()
