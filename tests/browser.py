"""Headless Chromium for the report tests: load a page, read the DOM after scripts ran, take a screenshot."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=5000",
]


def chromium() -> str:
    """Path of chromium; skipped where it is missing, but never in CI (.ci/run installs it)."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run must install Debian's chromium")
        pytest.skip("chromium not installed (apt-get install chromium)")
    return exe


def _run(args, timeout=120):
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=timeout
        )


def dump_dom(path: Path) -> tuple[str, str]:
    """(DOM after the page's scripts ran, browser log with console messages)."""
    proc = _run(["--enable-logging=stderr", "--v=0", "--dump-dom", path.resolve().as_uri()])
    return proc.stdout, proc.stderr


def screenshot(path: Path, png: Path, size="1400,2200") -> Path:
    _run([f"--window-size={size}", f"--screenshot={png}", path.resolve().as_uri()])
    return png


def console_errors(log: str) -> list[str]:
    """Console errors and uncaught exceptions from chromium's log (not its own D-Bus/GPU noise)."""
    return [line for line in log.splitlines() if "CONSOLE" in line and ("Uncaught" in line or "Error" in line)]
