"""`cnmm.yaml` loading: defaults, values and errors naming file:line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cnmm.config import ConfigError, find_config, load_config


def test_defaults_without_a_file() -> None:
    config = load_config(None)
    assert config.assess.discrepancy_policy == "answers-stand"
    assert config.scan.max_file_size == 10 * 1024 * 1024


def test_values_are_read(tmp_path: Path) -> None:
    path = tmp_path / "cnmm.yaml"
    path.write_text(
        "version: 1\ntargets: {technology.container-runtime: 4}\n"
        "exemptions:\n  - rule: k8s.workload.replicas\n    subject: 'Deployment/*'\n"
        "    reason: single replica by design\n    expires: 2027-01-31\n"
        "assess: {discrepancy_policy: evidence-overrides}\n"
    )
    config = load_config(path)
    assert config.targets == {"technology.container-runtime": 4}
    assert config.exemptions[0].expires == date(2027, 1, 31)
    assert config.assess.discrepancy_policy == "evidence-overrides"
    assert find_config(tmp_path / "sub" / "dir") is None or find_config(tmp_path) == path
    assert find_config(tmp_path) == path


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("version: 1\nscan:\n  max_file_sise: 5\n", 3, "max_file_sise"),
        ("version: 1\nexemptions:\n  - rule: x\n    reason: ''\n", 4, "reason"),
        ("version: 1\nassess:\n  discrepancy_policy: whatever\n", 3, "discrepancy_policy"),
        ("version: 1\ntargets: [oops\n", 3, "flow sequence at line 2"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, text: str, line: int, needle: str) -> None:
    path = tmp_path / "cnmm.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert f"{path}:{line}:" in str(info.value)
    assert needle in str(info.value)
