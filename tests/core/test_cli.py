"""The command line: help, version, errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kingress.cli.main import main


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "version" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out.startswith("kingress 0.1.0")


def test_console_script_reports_unknown_commands_on_stderr() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kingress.cli.main", "no-such-command"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
    assert "Traceback" not in result.stderr
