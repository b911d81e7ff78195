"""The shape of the code is a checked contract: an app that imports another app's models
breaks it, and an import made only for annotations (under TYPE_CHECKING) does not."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

RUNTIME_IMPORT = "\nfrom buudien.payouts import models as payout_models  # noqa: F401\n"
ANNOTATION_IMPORT = (
    "\nfrom typing import TYPE_CHECKING\n\n"
    "if TYPE_CHECKING:\n    from buudien.payouts.models import Payout  # noqa: F401\n"
)


def _copy(to: Path) -> Path:
    """The package's Python files and the contracts, in a directory of their own."""

    def not_python(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir()}

    shutil.copytree(ROOT / "src" / "buudien", to / "buudien", ignore=not_python)
    shutil.copy(ROOT / "pyproject.toml", to / "pyproject.toml")
    return to


def _lint(tree: Path) -> subprocess.Popen[str]:
    """lint-imports on a copied tree, started in the background."""
    return subprocess.Popen(  # noqa: S603 - our own tool on our own files
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    """The contracts checked on the tree as it is, and on a copy where dossiers imports
    payouts' models: at run time in its selectors, for annotations in a service."""
    if not LINT_IMPORTS.exists():
        pytest.skip("lint-imports is not installed beside this Python")
    as_is = _copy(tmp_path_factory.mktemp("as_is"))
    broken = _copy(tmp_path_factory.mktemp("broken"))
    _append(broken / "buudien" / "dossiers" / "selectors.py", RUNTIME_IMPORT)
    _append(broken / "buudien" / "dossiers" / "services" / "batches.py", ANNOTATION_IMPORT)
    runs = {"as_is": _lint(as_is), "broken": _lint(broken)}  # both at once: half the wait
    out = {}
    for name, run in runs.items():
        text, _ = run.communicate(timeout=120)
        out[name] = (run.returncode, text)
    return out


def test_the_code_as_it_is_keeps_every_contract(reports: dict[str, tuple[int, str]]) -> None:
    code, text = reports["as_is"]
    assert code == 0, text
    assert "0 broken" in text
    assert "payouts models are private to payouts KEPT" in text


def test_an_app_importing_another_apps_models_breaks_the_contract(
    reports: dict[str, tuple[int, str]],
) -> None:
    code, text = reports["broken"]
    assert code != 0
    assert "payouts models are private to payouts BROKEN" in text
    assert "buudien.dossiers.selectors -> buudien.payouts.models" in text


def test_an_import_for_annotations_only_is_allowed(reports: dict[str, tuple[int, str]]) -> None:
    _code, text = reports["broken"]
    assert "buudien.dossiers.services.batches" not in text
