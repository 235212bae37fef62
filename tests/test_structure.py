"""The house's structural facts (issue 11's "done when"), checked on every run."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULES = 15
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)")
_SKIP = {".venv", ".git", "node_modules", "__pycache__", ".pytest_cache"}


def _package_dirs():
    for top in ("kiosk", "drivers", "sync", "bench", "scripts"):
        for folder in [ROOT / top, *sorted((ROOT / top).rglob("*"))]:
            if folder.is_dir() and not _SKIP & set(folder.relative_to(ROOT).parts):
                yield folder


def test_no_folder_holds_more_than_15_modules():
    crowded = {str(d.relative_to(ROOT)): n for d in _package_dirs()
               if (n := len([p for p in d.glob("*.py") if p.name != "__init__.py"])) > MAX_MODULES}
    assert not crowded, f"folders over {MAX_MODULES} modules: {crowded}"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("adapter", ["drivers", "sync"])
def test_nothing_under_the_adapters_imports_qrcode(adapter):
    """Also an import-linter contract (which sees indirect imports); this names the file at once."""
    offenders = [str(p.relative_to(ROOT)) for p in sorted((ROOT / adapter).rglob("*.py"))
                 if "qrcode" in _imports(p)]
    assert not offenders


def test_the_configuration_is_documented_key_by_key():
    from kiosk.config import KioskConfig, Section

    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = []
    for name, field in KioskConfig.model_fields.items():
        section = field.annotation
        if isinstance(section, type) and issubclass(section, Section):
            assert f"`[{name}]`" in doc, f"no section for [{name}]"
            missing += [f"[{name}] {key}" for key in section.model_fields if f"| `{key}` |" not in doc]
        elif f"| `{name}` |" not in doc:
            missing.append(name)
    assert not missing, f"keys without a row in docs/configuration.md: {missing}"


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_every_relative_link_in_the_readme_and_docs_resolves():
    assert [m.group(1) for m in _LINK.finditer('see [x](a.md#b) and [y](https://e.org) ![i](p.png)')] == \
        ["a.md#b", "https://e.org", None]
    broken = []
    for page in _markdown_files():
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
        for match in _LINK.finditer(text):
            target = (match.group(1) or match.group(2)).split("#", 1)[0]
            if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # an anchor in the same page, or http:, mailto:, ...
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, f"broken relative links: {broken}"


def test_the_architecture_shows_the_rooms_and_the_path_of_a_card_read():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for room in ("checks/", "passes/", "status/", "trust/", "identity/", "codec/", "outcome/",
                 "citizen/", "staff/", "admin/", "shared/"):
        assert room in doc, room
    path = doc.split("## The path of a card read", 1)
    assert len(path) == 2, "no section for the path of a card read"
    for step in ("drivers/sam/session.py", "drivers/sam/reader.py", "CardPresented", "kiosk/app.py",
                 "kiosk/checkpoint.py", "kiosk/core/checks/card_check.py", "kiosk/core/status/",
                 "kiosk/core/outcome/policy.py", "sync/eventlog.py", "kiosk/ui/"):
        assert step in path[1], step
    for mentioned in re.findall(r"`((?:kiosk|drivers|sync)/[\w/]+\.py)`", path[1]):
        assert (ROOT / mentioned).exists(), mentioned
