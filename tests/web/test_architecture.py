"""The architecture as tests: the import contracts of pyproject.toml hold (lint-imports), and the
``STROMALAB_*`` environment is read in one place (the web settings; the CLI's one module for the
commands that start without Django)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "stromalab"
#: modules allowed to read the environment, and why
ENVIRONMENT_READERS = {
    SRC / "web" / "settings.py",  # every STROMALAB_* variable of the web application
    SRC / "commands" / "environment.py",  # STROMALAB_PROTOCOLS for screen/prescreen (no Django)
}
#: a read of one variable: environ.get(...), environ[...], getenv(...), environ.pop(...)
READ = re.compile(r"\b(?:environ\.get|environ\.pop|getenv)\(\s*([^,)]+)|\benviron\[\s*([^\]]+)\]")
#: a literal name other than STROMALAB_* (DJANGO_SETTINGS_MODULE, TMPDIR, ...) is not ours to move
OTHER_VARIABLE = re.compile(r"""^["'](?!STROMALAB_)[A-Z0-9_]+["']$""")


def _stromalab_reads(line: str) -> bool:
    """A STROMALAB_ variable read, or a read whose name is computed (it may be one)."""
    if re.search(r"""["']STROMALAB_\w*["']\s+(?:not\s+)?in\s+os\.environ""", line):
        return True
    return any(not OTHER_VARIABLE.match((a or b).strip()) for a, b in READ.findall(line))


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_environment_is_read_in_settings_only() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path in ENVIRONMENT_READERS:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _stromalab_reads(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "read settings.X instead of the environment:\n" + "\n".join(found)


def test_the_rule_sees_every_kind_of_read() -> None:
    for line in ('os.environ.get("STROMALAB_FIN")', "os.environ.get(name) or default", 'os.getenv("STROMALAB_X", "")',
                 'os.environ["STROMALAB_MEDIA_DIR"]', 'if "STROMALAB_DEBUG" in os.environ:'):
        assert _stromalab_reads(line), line
    for line in ('os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stromalab.web.settings")',
                 'env = dict(os.environ)', 'os.environ.get("TMPDIR", "/tmp")'):
        assert not _stromalab_reads(line), line


def test_environment_readers_exist() -> None:
    # a renamed reader would silently widen the rule above
    assert all(path.is_file() for path in ENVIRONMENT_READERS)
