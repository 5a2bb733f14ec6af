"""Runs the QGIS tests (tests/qgis_inside) in QGIS's own Python, headless.

Needs Debian's ``qgis`` and ``python3-qgis`` (and libgeos-dev, libgdal-dev to build shapely/pyogrio against
QGIS's libraries); the environment is made once by ``qgis_plugin/setup_qgis_venv.sh`` into ``.venv-qgis``.
Skipped with the reason where QGIS is missing — but never in CI, which installs it.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
VENV = REPO / ".venv-qgis"


def _qgis_python_ok() -> bool:
    if not Path("/usr/bin/python3").exists():
        return False
    return subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def qgis_venv():
    if not _qgis_python_ok():
        if os.environ.get("CI"):
            pytest.fail("QGIS is missing in CI: .ci/run must install Debian's qgis and python3-qgis")
        pytest.skip("QGIS not installed (apt-get install qgis python3-qgis libgeos-dev libgdal-dev)")
    if not (VENV / ".yangao-ready-4").exists():
        if VENV.exists():
            shutil.rmtree(VENV)
        proc = subprocess.run(
            ["bash", str(REPO / "qgis_plugin" / "setup_qgis_venv.sh"), str(VENV)],
            capture_output=True,
            text=True,
            timeout=1800,
        )
        assert proc.returncode == 0, f"setting up {VENV} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    else:  # an environment from an earlier run: put this checkout's yangao_geo in it
        proc = subprocess.run(
            [
                str(VENV / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--force-reinstall",
                str(REPO),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
    return VENV


def test_qgis_processing_provider_console_and_qgis_process(qgis_venv):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", YANGAO_QGIS_INSIDE="1")
    proc = subprocess.run(
        [
            str(qgis_venv / "bin" / "python"),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "ignore::DeprecationWarning",
            str(REPO / "tests" / "qgis_inside"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    assert proc.returncode == 0, f"QGIS tests failed ({summary}):\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"
    assert "passed" in summary and "skipped" not in summary, summary
    print(f"QGIS tests: {summary}")
