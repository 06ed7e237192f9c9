"""The distribution installs one import name, `newsfeed`, and works as a wheel outside the checkout.

The folders stay at the top of the checkout (models/, stream/, training/), and pyproject.toml's
package-dir installs them as newsfeed.models, newsfeed.stream and newsfeed.training. From the repository
root the folders are importable under their bare names too (the working directory is on sys.path), so
a stray `import models` would pass every other test here and break only an installed package: the scan
below finds one, and the wheel test runs the command where no checkout can help it.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "examples" / "seed-article.txt"
FOLDERS = {"models": "newsfeed.models", "stream": "newsfeed.stream", "training": "newsfeed.training"}
# Where the project's own Python and scripts live; .venv, build output and the like are not the project's.
SOURCES = ["newsfeed", *FOLDERS, "tests", "bench", "deploy"]
RUNS_A_FOLDER = re.compile(r"python3? -m (models|stream|training)\b")


def _project_files(*suffixes: str) -> list[Path]:
    files = [path for folder in SOURCES for path in (ROOT / folder).rglob("*")
             if path.suffix in suffixes and "__pycache__" not in path.parts]
    assert files
    return files


def test_no_code_imports_a_folder_by_its_bare_name():
    bare = []
    for path in _project_files(".py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            bare += [f"{path.relative_to(ROOT)}:{node.lineno} {name}" for name in names if name.split(".")[0] in FOLDERS]
    assert bare == [], "import these as newsfeed.<folder>..."


def test_no_script_or_document_runs_a_folder_by_its_bare_name():
    texts = [*_project_files(".sh", ".md", ".yaml", ".yml", ".py"), ROOT / "README.md", ROOT / "Makefile",
             ROOT / "deploy" / "docker" / "Dockerfile"]
    found = [f"{path.relative_to(ROOT)}: {match.group(0)}" for path in texts
             for match in RUNS_A_FOLDER.finditer(path.read_text(encoding="utf-8"))]
    assert found == [], "run these as python -m newsfeed.<folder>..."


def test_every_package_folder_is_installed():
    """The packages are listed in pyproject.toml (find() would name them `models`...): a new subpackage
    left off the list would be missing from the wheel, and only from the wheel."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {"newsfeed": "newsfeed"} | FOLDERS
    assert setuptools["package-dir"] == {package: folder for folder, package in folders.items()}
    on_disk = {".".join([folders[init.relative_to(ROOT).parts[0]], *init.relative_to(ROOT).parts[1:-1]])
               for folder in folders for init in (ROOT / folder).rglob("__init__.py")}
    assert sorted(setuptools["packages"]) == sorted(on_disk)


def test_the_wheel_installs_only_newsfeed_and_works_outside_the_checkout(tmp_path):
    """Built and installed as a user gets it (not editable), then run from a directory that is not the
    checkout: the seed article's topics and regions, --help, and no bare `models` to import."""
    # Built from a copy: setuptools writes build/ and *.egg-info into the source tree, and a stale
    # build/lib from an older layout would slip its files into the wheel.
    source = tmp_path / "source"
    for name in ["pyproject.toml", "README.md"]:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, source / name)
    for folder in ["newsfeed", *FOLDERS]:
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                            "-w", str(wheels), str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob("*.whl")
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert {top for top in tops if not top.endswith((".dist-info", ".data"))} == {"newsfeed"}

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # The dependencies are the locked ones this venv already holds: a .pth adds its site-packages after
    # the fresh venv's own, so the wheel's newsfeed comes first. (.pth files inside a directory added
    # this way do not run, so this venv's editable-install finder stays out.)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    dependencies = subprocess.run([sys.executable, "-c", "import sklearn, os; print(os.path.dirname(os.path.dirname(sklearn.__file__)))"],
                                  capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "project-dependencies.pth").write_text(dependencies + "\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet",
                                str(wheel)], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr[-3000:]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH" and not key.startswith("NEWSFEED_")}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)

    helped = run(str(venv / "bin" / "newsfeed"), "--help")
    assert helped.returncode == 0 and "classify" in helped.stdout, helped.stderr
    classified = run(str(venv / "bin" / "newsfeed"), "classify", "--text", str(SEED), "--log-level", "ERROR")
    assert classified.returncode == 0, classified.stderr
    record = json.loads(classified.stdout)
    assert "diplomacy" in record["topics"] and {"europe", "east-asia"} <= set(record["regions"])

    where = run(str(python), "-c", "import newsfeed.models; print(newsfeed.models.__file__)")
    assert where.returncode == 0 and Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr
    for bare in FOLDERS:
        imported = run(str(python), "-c", f"import {bare}")
        assert imported.returncode != 0 and f"No module named '{bare}'" in imported.stderr, (bare, imported.stderr)
