"""The two-command set-up: ``make test`` makes sure Chromium is there for the browser tests
(installing it with apt-get as root, like ``.ci/run``) or says what to do."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

ENSURE = REPO / ".ci" / "ensure-chromium"


def _path_without_chromium(folder: Path) -> str:
    """A PATH with the shell tools the script needs, and neither chromium nor apt-get."""
    folder.mkdir()
    for tool in ("sh", "id", "cat"):
        found = shutil.which(tool)
        assert found is not None
        (folder / tool).symlink_to(found)
    return str(folder)


def test_make_test_checks_chromium_before_running_the_suite() -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    plan = subprocess.run(
        ["make", "-n", "test"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert ".ci/ensure-chromium" in plan
    assert plan.index(".ci/ensure-chromium") < next(
        i for i, line in enumerate(plan) if "pytest" in line
    )
    assert ".ci/ensure-chromium" in (REPO / ".ci" / "run").read_text()


def test_without_chromium_or_apt_get_it_says_what_to_install(tmp_path: Path) -> None:
    result = subprocess.run(
        ["sh", str(ENSURE)],
        env={**os.environ, "PATH": _path_without_chromium(tmp_path / "bin")},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Chromium is missing" in result.stderr
    assert "sudo apt-get install -y chromium" in result.stderr
    assert "run `make test` again" in result.stderr


def test_with_chromium_installed_it_does_nothing() -> None:
    if shutil.which("chromium") is None:
        pytest.skip("Chromium is not installed here")
    result = subprocess.run(["sh", str(ENSURE)], capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
