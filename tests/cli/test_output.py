"""Writing output: `--out -` is standard output; write failures are one line."""

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from slakeeper.cli import app

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agreement.yaml"


def test_a_dash_writes_to_standard_output():
    result = runner.invoke(app, ["agreement", "schema", "--out", "-"])
    assert result.exit_code == 0
    assert result.stdout.startswith('{\n  "$schema"')
    assert not Path("-").exists()


def test_a_full_disk_under_standard_output_is_one_line_and_exit_2():
    with open("/dev/full", "w") as full:  # every write fails with ENOSPC
        result = subprocess.run(
            [sys.executable, "-m", "slakeeper", "agreement", "render", str(EXAMPLE)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["error: No space left on device"]
