"""The README's quick start, run as a new user runs it: in a copy of the project in a temporary
folder, installed into a fresh virtual environment, then `briefing check` on what it wrote.

Tests never reach the network, so `pip install .` runs offline: the new environment sees the
dependencies already installed in this one (a .pth file), and the project is built without
build isolation (`--no-index --no-deps --no-build-isolation`). Everything else is the README's
command as written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

OFFLINE = ["--no-index", "--no-deps", "--no-build-isolation", "--quiet"]


def quick_start() -> list[str]:
    """The two commands under '## Quick start' in the README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL)]


def copy_project(to: Path) -> Path:
    project = to / "briefing-project"
    ignore = shutil.ignore_patterns(".git", ".venv", "venv", "__pycache__", "*.egg-info", "build")
    shutil.copytree(ROOT, project, ignore=ignore)
    return project


def test_the_readme_has_two_quick_start_commands():
    first, second = quick_start()
    assert first == "pip install . && briefing build seeds/ -o brief.md"
    assert second == "pip install '.[test]' && python -m pytest"


def test_the_quick_start_installs_builds_and_the_briefing_checks_clean(tmp_path):
    install, build = quick_start()[0].split(" && ")
    assert install == "pip install ."
    project = copy_project(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bin_dir = venv / "bin"
    site = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "outer.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    pip = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", *OFFLINE, "."],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert pip.returncode == 0, pip.stdout + pip.stderr
    run = subprocess.run(build, shell=True, cwd=project, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    brief = (project / "brief.md").read_text(encoding="utf-8")
    assert brief.startswith("# Briefing") and "## Key points" in brief
    installed = subprocess.run(
        ["briefing", "--version"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert installed.returncode == 0 and installed.stdout.startswith("briefing ")
    check = subprocess.run(
        ["briefing", "check", "brief.md", "seeds/"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith("ok: ")
