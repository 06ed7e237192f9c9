"""The lock files (requirements/*.lock) still fit pyproject.toml, and the image installs what CI tests.

pyproject.toml keeps ranges for library users; the Docker image installs requirements/worker.lock and
`make venv` (so CI) requirements/test.lock, pinned and hash-checked. Whoever changes a range or adds a
dependency without `make lock` gets a failure here instead of an image that differs from the tests.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$")


def pins(name: str) -> dict[str, str]:
    lines = (ROOT / "requirements" / f"{name}.lock").read_text().splitlines()
    return {canonicalize_name(m.group(1)): m.group(2) for line in lines if (m := PIN.match(line))}


def required(*extras: str) -> list[Requirement]:
    specs = [*PYPROJECT["project"]["dependencies"], *PYPROJECT["build-system"]["requires"]]
    for extra in extras:
        specs += PYPROJECT["project"]["optional-dependencies"][extra]
    return [Requirement(spec) for spec in specs]


@pytest.mark.parametrize("lock, extras", [("worker", ()), ("test", ("test",))])
def test_every_requirement_is_pinned_inside_its_range(lock, extras):
    pinned = pins(lock)
    for requirement in required(*extras):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement} is not in requirements/{lock}.lock: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"requirements/{lock}.lock pins {name}=={pinned[name]}, outside {requirement}: run `make lock`")
        for extra in requirement.extras:  # kafka-python[crc32c]: the extra's packages are pinned too
            assert extra in pinned, f"{requirement}: {extra} is not in requirements/{lock}.lock"


def test_the_image_installs_the_versions_the_tests_run_with():
    worker, test = pins("worker"), pins("test")
    assert {name: test.get(name) for name in worker} == worker

