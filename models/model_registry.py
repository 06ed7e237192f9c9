"""The model registry: versioned artifact directories and a `current` pointer the worker follows.

    <registry>/<version>/      one artifact directory per promoted version
    <registry>/current         a one-line text file naming the version in production

Switching versions rewrites `current` with an atomic rename, so a reader sees the old or the new
version, never a half-written pointer. The project ships its own registry (package data) holding
the promoted default model.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from newsfeed.models.artifact import METADATA_FILE, artifact_digest, read_metadata
from newsfeed.models.errors import RegistryError

CURRENT_FILE = "current"
SHIPPED_REGISTRY = Path(__file__).parent / "registry"


def resolve_model_dir(path: str | Path | None) -> Path:
    """The artifact directory to load: the shipped default for None, an artifact as is, a registry's current."""
    if path is None:
        return current_version_dir(SHIPPED_REGISTRY)
    path = Path(path)
    if (path / METADATA_FILE).is_file():
        return path
    if (path / CURRENT_FILE).is_file():
        return current_version_dir(path)
    raise RegistryError(f"{path}: neither a model artifact (no {METADATA_FILE}) nor a registry (no {CURRENT_FILE})")


def current_version(registry: str | Path) -> str:
    pointer = Path(registry) / CURRENT_FILE
    try:
        version = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise RegistryError(f"{registry}: no current model (missing {CURRENT_FILE})") from None
    if not version:
        raise RegistryError(f"{pointer} is empty")
    return version


def current_version_dir(registry: str | Path) -> Path:
    directory = Path(registry) / current_version(registry)
    if not (directory / METADATA_FILE).is_file():
        raise RegistryError(f"{registry}: current points at {directory.name}, which is not an artifact")
    return directory


def add_version(registry: str | Path, artifact: str | Path) -> Path:
    """Copy an artifact into the registry under its version (idempotent for the same version)."""
    version = str(read_metadata(artifact)["version"])
    target = Path(registry) / version
    if target.resolve() == Path(artifact).resolve():
        return target
    if target.exists():
        if artifact_digest(target) != artifact_digest(artifact):
            raise RegistryError(f"{target} already holds a different artifact with version {version}")
        return target
    Path(registry).mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=registry, prefix=f".{version}."))
    shutil.copytree(artifact, staging, dirs_exist_ok=True)
    os.replace(staging, target)
    return target


def set_current(registry: str | Path, version: str) -> None:
    """Point the registry at a version it holds, atomically."""
    registry = Path(registry)
    if not (registry / version / METADATA_FILE).is_file():
        raise RegistryError(f"{registry} has no version {version}")
    handle, temp = tempfile.mkstemp(dir=registry, prefix=f".{CURRENT_FILE}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(version + "\n")
    os.chmod(temp, 0o644)  # mkstemp makes files private; the worker may run as another user
    os.replace(temp, registry / CURRENT_FILE)
