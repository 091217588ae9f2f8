"""The repository read in a process of its own: same outcome, progress relayed, errors raised."""

from __future__ import annotations

import gc
import re
from dataclasses import replace
from pathlib import Path

import pytest

from cnmm.collect.files import WalkOptions
from cnmm.scan import ScanRequest, _repository, run_scan, start_repository, without_cyclic_gc
from tests.repository.gitrepo import GitRepo, at


def _project(tmp_path: Path) -> Path:
    project = GitRepo(tmp_path / "project")
    (project.path / "Dockerfile").write_text("FROM python:3.12-slim\nUSER app\n")
    (project.path / ".github" / "workflows").mkdir(parents=True)
    (project.path / ".github" / "workflows" / "ci.yaml").write_text(
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "    - uses: actions/checkout@v4\n    - run: make test\n"
    )
    project.git("add", "-A")
    project.commit(at(2026, 11, 1), "first")
    return project.path


def test_the_process_gives_what_reading_in_place_gives(tmp_path: Path) -> None:
    root = _project(tmp_path)
    request = ScanRequest(paths=(str(root),), since="2y")
    events: list[tuple[str, int, int | None]] = []
    read = start_repository(request, [root], WalkOptions(), lambda *e: events.append(e))
    collection, inventory = read()
    here, _here_inventory = _repository(request, [root], WalkOptions(), None)
    # Delivery history is read over a window ending "now", which moves between the two
    # reads: everything else must be equal, and the history must hold the same commits.
    assert replace(collection.facts, delivery=()) == replace(here.facts, delivery=())
    assert (
        [d.commits for d in collection.facts.delivery]
        == [d.commits for d in here.facts.delivery]
        == [1]
    )
    assert set(inventory) == set(_here_inventory)
    assert [f.path for f in collection.facts.dockerfiles] == [str(root / "Dockerfile")]
    assert events, "progress reported in the child reaches the caller"
    # One core (or --workers 1): read in place, when asked.
    single = start_repository(
        ScanRequest(paths=(str(root),), since="2y", workers=1), [root], WalkOptions(), None
    )
    assert replace(single()[0].facts, delivery=()) == replace(here.facts, delivery=())


def test_an_error_in_the_process_is_raised_here(tmp_path: Path) -> None:
    request = ScanRequest(paths=(str(tmp_path),))
    broken = object()  # no walk options at all: the collector fails on it
    with pytest.raises(Exception) as in_place:
        _repository(request, [tmp_path], broken, None)
    read = start_repository(request, [tmp_path], broken, None)
    with pytest.raises(type(in_place.value), match=re.escape(str(in_place.value))):
        read()


def test_the_cycle_collector_is_paused_only_while_scanning(tmp_path: Path) -> None:
    assert gc.isenabled()
    with without_cyclic_gc():
        assert not gc.isenabled()
        with without_cyclic_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # an inner pause does not end the outer one
    assert gc.isenabled()
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    run_scan(ScanRequest(paths=(str(tmp_path),), history=False))
    assert gc.isenabled()
