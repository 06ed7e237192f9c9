"""`newsfeed promote`: a quality gate against the current champion, then an atomic switch.

The gate compares both models on the hand-labelled development gold set: the candidate may not lose
more than MAX_LABEL_DROP of F1 on any topic label, and its topic macro F1 may not drop at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.artifact import Model, load_model
from models.errors import RegistryError
from models.registry import add_version, current_version_dir, set_current
from models.taxonomy import TOPICS
from training.evaluate import evaluate_gold

MAX_LABEL_DROP = 0.02


@dataclass(frozen=True)
class GateResult:
    passed: bool
    reasons: list[str]
    candidate: dict[str, float]
    champion: dict[str, float] | None


def gate(candidate: Model, champion: Model | None, data_dir: str | Path) -> GateResult:
    candidate_f1 = _gold_f1(candidate, data_dir)
    if champion is None:
        return GateResult(True, ["no current champion: the first model is promoted"], candidate_f1, None)
    champion_f1 = _gold_f1(champion, data_dir)
    reasons = gate_reasons(candidate_f1, champion_f1)
    return GateResult(not reasons, reasons, candidate_f1, champion_f1)


def gate_reasons(candidate_f1: dict[str, float], champion_f1: dict[str, float]) -> list[str]:
    """Why a candidate with these gold-set F1 figures may not replace the champion (empty: it may)."""
    reasons = [
        f"{label} F1 {candidate_f1[label]:.3f} is {champion_f1[label] - candidate_f1[label]:.3f} below the "
        f"champion's {champion_f1[label]:.3f} (at most {MAX_LABEL_DROP} allowed)"
        for label in TOPICS
        if champion_f1[label] - candidate_f1[label] > MAX_LABEL_DROP + 1e-9
    ]
    if candidate_f1["macro"] < champion_f1["macro"] - 1e-9:
        reasons.append(f"macro F1 {candidate_f1['macro']:.3f} is below the champion's {champion_f1['macro']:.3f}")
    return reasons


def _gold_f1(model: Model, data_dir: str | Path) -> dict[str, float]:
    report, _ = evaluate_gold(model, data_dir)
    if report["items"] == 0:
        raise RegistryError(f"{data_dir}: no gold-set items could be read, so the gate cannot judge")
    f1 = {label: report["topics"]["per_label"][label]["f1"] for label in TOPICS}
    return f1 | {"macro": report["topics"]["macro"]["f1"]}


def promote(artifact_dir: str | Path, registry: str | Path, data_dir: str | Path) -> GateResult:
    """Gate the artifact against the registry's current model; on a pass, make it current."""
    candidate = load_model(artifact_dir)
    try:
        champion = load_model(current_version_dir(registry))
    except RegistryError:
        champion = None
    result = gate(candidate, champion, data_dir)
    if result.passed:
        add_version(registry, artifact_dir)
        set_current(registry, candidate.version)
    return result
