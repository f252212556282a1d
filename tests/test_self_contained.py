"""The repository holds everything its tests and readers need (a plain clone passes `make test`)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

GUARDED_READ = """
import sys
from pathlib import Path
from tests.conftest import ReadOutsideRepository, refuse_reads_beside
root = Path(sys.argv[1])
refuse_reads_beside(root / "repo")
print((root / "repo" / "inside.txt").read_text())
try:
    (root / "beside" / "data.txt").read_text()
except ReadOutsideRepository as error:
    print("refused:", error)
"""


def test_a_read_beside_the_repository_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "inside.txt").write_text("inside")
    (tmp_path / "beside").mkdir()
    (tmp_path / "beside" / "data.txt").write_text("beside")
    run = subprocess.run([sys.executable, "-c", GUARDED_READ, str(tmp_path)], cwd=REPO,
                         capture_output=True, text=True, check=True)
    lines = run.stdout.splitlines()
    assert lines[0] == "inside"
    assert lines[1].startswith(f"refused: a test read {tmp_path.resolve() / 'beside' / 'data.txt'}")


def _tracked(*patterns: str) -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z", *patterns], cwd=REPO, capture_output=True,
                            check=True).stdout.decode().split("\0")
    return [REPO / name for name in listed if name]


def test_no_document_test_or_source_names_a_path_outside_the_repository() -> None:
    outside = re.compile(r"\.\./shared|shared/(domain|seed|fixtures)|/work/")
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for path in _tracked("*.py", "*.md", "*.json", "*.yaml", "*.toml", "*.sh", "Makefile", ".ci/run")
        if path.exists() and path != Path(__file__)
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if outside.search(line)
    ]
    assert offenders == []


def test_the_readme_links_every_contract() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for contract in sorted((REPO / "docs" / "contracts").glob("*.md")):
        assert f"(docs/contracts/{contract.name})" in readme, contract.name
