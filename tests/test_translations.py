"""Everything a person reads has its English: a string that is not marked for translation, or
marked but not translated, fails here with its file and line.

Three checks: the English catalogue holds a translation of every marked string (extracted
afresh from the code, as `makemessages` does); no template writes Vietnamese text outside
{% translate %} / {% blocktranslate %}; no Python module writes a Vietnamese literal outside
gettext, except the modules listed in KEPT_VIETNAMESE with the reason they must stay so."""

from __future__ import annotations

import ast
import os
import re
import shutil
from pathlib import Path

from babel.messages.pofile import read_po
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.test import override_settings

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "buudien"
VIETNAMESE = re.compile(
    "[ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]", re.IGNORECASE
)
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
}
# Modules whose Vietnamese is data or a legal form, not interface text.
KEPT_VIETNAMESE = {
    "core/ids.py": "administrative words and check tables of Vietnamese identifiers",
    "core/money.py": "amounts in words, which Vietnamese receipts and reports write in Vietnamese",
    "core/text.py": "the letters that accent folding maps",
    "network/importers.py": "the column headings of the province's own Excel layout",
    "payouts/importers.py": "the column headings of the social-insurance agency's lists",
    "dossiers/importers.py": "the column headings of the public-service centre's files",
    "plans/importers.py": "the column headings of the plan templates",
    "insurance/importers.py": "the headings and answer words of the social-insurance agency's "
    "confirmation file",
    "sync/sample.py": "a sample day's names, villages and notes that train the compression "
    "dictionary: data shaped like a point's, not interface text",
    "settings.py": "the start-up error raised before translations can load; it carries its English",
}
# A language's own name is written in that language whatever the interface's language.
OWN_NAMES = {"Tiếng Việt"}


def _python_literals(path: Path) -> list[str]:
    """Vietnamese string literals outside gettext calls and docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", "")
            if name in GETTEXT:
                allowed.update(id(inner) for inner in ast.walk(node))
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                allowed.add(id(first.value))
    return [
        f"{node.lineno}: {node.value[:60]!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and VIETNAMESE.search(node.value)
        and id(node) not in allowed
    ]


def test_python_writes_vietnamese_only_through_gettext() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if "/migrations/" in rel or rel.endswith("demo.py") or rel in KEPT_VIETNAMESE:
            continue
        found += [f"{rel}:{hit}" for hit in _python_literals(path)]
    assert found == [], "Vietnamese text not marked for translation:\n" + "\n".join(found)


def _without_own_names(line: str) -> str:
    for name in OWN_NAMES:
        line = line.replace(name, "")
    return line


def _template_text(path: Path) -> list[str]:
    inside = False
    found = []
    for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
        if token.token_type == TokenType.BLOCK:
            word = (token.contents.split() or [""])[0]
            if word in {"blocktranslate", "blocktrans"}:
                inside = True
            elif word in {"endblocktranslate", "endblocktrans"}:
                inside = False
        elif token.token_type == TokenType.TEXT and not inside:
            found += [
                f"{token.lineno}: {line.strip()[:60]}"
                for line in token.contents.splitlines()
                if VIETNAMESE.search(_without_own_names(line))
            ]
    return found


def test_templates_write_vietnamese_only_through_translate_tags() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("templates/**/*.html")):
        rel = path.relative_to(PACKAGE).as_posix()
        found += [f"{rel}:{hit}" for hit in _template_text(path)]
    assert found == [], "Vietnamese text outside {% translate %}:\n" + "\n".join(found)


def test_every_marked_string_has_its_english(tmp_path: Path) -> None:
    """The catalogue made afresh from the code, merged into the English one as shipped: every
    message has its translation, none left fuzzy."""
    copy = tmp_path / "buudien"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo", "reference")
    )
    here = Path.cwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command("makemessages", locale=["en"], verbosity=0, no_obsolete=True)
    finally:
        os.chdir(here)
    with (copy / "locale" / "en" / "LC_MESSAGES" / "django.po").open("rb") as po:
        catalogue = read_po(po)
    missing = []
    for message in catalogue:
        if not message.id:
            continue
        text = message.string if isinstance(message.string, str) else "".join(message.string)
        if not text or message.fuzzy:
            first = message.locations[0] if message.locations else ("?", 0)
            ident = message.id if isinstance(message.id, str) else message.id[0]
            missing.append(f"{first[0]}:{first[1]}: {ident[:60]!r}")
    assert missing == [], "Without English:\n" + "\n".join(missing)
