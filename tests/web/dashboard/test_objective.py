"""The study's objective: targets read from the protocol folder's objective.yaml (not written in
the code), checked when the protocol loads, and progress against them on the dashboard: donors
enrolled, batches made, released and meeting the ISCT criteria, ISCT compliance per batch."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stromalab.core.protocol import (
    Objective,
    ProtocolError,
    load_protocol,
    protocols_root,
    set_protocols_root,
)
from stromalab.web.dashboard.objective import BATCHES_SHOWN
from stromalab.web.dashboard.stats import study_summary
from stromalab.web.manufacturing.models import Batch

from .conftest import World

pytestmark = pytest.mark.django_db

SOURCE = protocols_root() / "NCT05947682"


def _copy(tmp_path: Path, old: str | None = None, new: str = "") -> Path:
    folder = tmp_path / "NCT05947682"
    shutil.copytree(SOURCE, folder)
    path = folder / "objective.yaml"
    if old is not None:
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.fixture()
def protocols_in(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Serve the study's protocol from a copy (edited), as STROMALAB_PROTOCOLS would."""
    def use(old: str, new: str) -> Path:
        folder = _copy(tmp_path, old, new)
        set_protocols_root(tmp_path)
        return folder

    yield use
    set_protocols_root(None)


def test_the_shipped_targets() -> None:
    assert load_protocol("NCT05947682").objective == Objective(donors=6, batches_meeting_isct=3)


@pytest.mark.parametrize(("old", "new", "key", "message"), [
    ("batches_meeting_isct: 3", "batches_meeting_isct: three", "batches_meeting_isct", "whole number"),
    ("batches_meeting_isct: 3", "batches_meeting_isct: 0", "batches_meeting_isct", "whole number"),
    ("donors: 6", "donors: 7", "donors", "disagrees with the enrollment count of study.json (6)"),
    ("donors: 6", "donors: 6\nbatches: 4", "batches", "unknown key"),
    ("protocol: NCT05947682", "protocol: NCT00000000", "protocol", "does not match"),
])
def test_a_wrong_objective_is_refused_with_file_line_and_key(tmp_path: Path, old: str, new: str, key: str,
                                                             message: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        load_protocol(_copy(tmp_path, old, new))
    assert caught.value.key == key and message in caught.value.message
    assert caught.value.path.endswith("objective.yaml") and caught.value.line is not None


def test_a_folder_without_objective_has_none(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "objective.yaml").unlink()
    assert load_protocol(folder).objective is None


def test_the_dashboard_reads_the_target_from_the_protocol(world: World, protocols_in: Callable[..., Path],
                                                          client_as: Callable[..., Any]) -> None:
    protocols_in("batches_meeting_isct: 3", "batches_meeting_isct: 5")
    page = client_as("investigator").get("/").content.decode()
    assert re.search(r'id="batches-isct"><th>Batches meeting the ISCT criteria</th><td><strong>0 / 5</strong>', page)
    assert study_summary(world.study)["batches"]["target"] == 5


def test_progress_against_the_objective(world: World, client_as: Callable[..., Any]) -> None:
    meets = world.batch(Batch.RELEASED)
    world.isct(meets)
    fails = world.batch(Batch.REJECTED)
    world.isct(fails, failing=("cd34",))
    partial = world.batch(Batch.QUARANTINE)
    world.isct(partial, missing=("cd105", "cd45"))
    world.isct(world.batch(Batch.VOIDED))  # not counted
    for _n in range(2):
        world.donor("eligible", consent="signed", enrolled=True)
    b = study_summary(world.study)["batches"]
    assert (b["made"], b["released"], b["meeting_isct"], b["target"]) == (3, 1, 1, 3)
    assert [(r["code"], r["isct"], r["passed"]) for r in b["rows"]] == [
        (meets.code, "meets", 8), (fails.code, "fails", 7), (partial.code, "incomplete", 6)]
    page = client_as("qualified_person").get("/").content.decode()
    assert "<strong>2 / 6</strong>" in page  # donors enrolled, seen by the manufacturing roles too
    assert f'data-batch="{meets.code}" data-isct="meets"><td><a href="/quality/batches/{meets.code}/">' in page
    assert "6 of 8 passed" in page
    assert 'id="screening-log"' not in page  # clinical data: clinical readers only
    page = client_as("investigator").get("/").content.decode()
    assert f'data-batch="{meets.code}" data-isct="meets"><td>{meets.code}</td>' in page  # no quality page for them


def test_batch_rows_bounded_with_a_link_to_all(world: World, client_as: Callable[..., Any]) -> None:
    for _n in range(BATCHES_SHOWN + 1):
        world.batch(Batch.IN_PROCESS)
    page = client_as("qc_analyst").get("/").content.decode()
    assert page.count("data-batch=") == BATCHES_SHOWN
    assert f'<a href="/quality/">See all {BATCHES_SHOWN + 1}</a>' in page


def test_objective_in_french(world: World, client_as: Callable[..., Any]) -> None:
    client = client_as("operator")
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    page = client.get("/").content.decode()
    assert "Lots conformes aux critères ISCT" in page and "Donneurs inclus" in page
