"""The batch record's state machine: every allowed and every forbidden move, with its refusal."""

from __future__ import annotations

import pytest

from stromalab.core.manufacturing import batch_record as br
from stromalab.core.manufacturing.batch_record import (
    DONE,
    FREEZING,
    HARVEST,
    IN_PROGRESS,
    ISOLATION,
    PASSAGE,
    PASSAGE_HARVEST,
    PLANNED,
    RECEIPT,
    REJECTED,
    SEED,
    STORAGE,
)

#: the batch right after the harvest: the harvest done, the fixed steps planned
HARVESTED = ((HARVEST, 0, DONE), (RECEIPT, 0, PLANNED), (ISOLATION, 0, PLANNED), (FREEZING, 0, PLANNED),
             (STORAGE, 0, PLANNED))


def at(*changes: tuple[str, int, str]) -> tuple[tuple[str, int, str], ...]:
    """The harvested batch with ``changes`` applied (a step replaced or a passage added)."""
    steps = {(k, n): s for k, n, s in HARVESTED}
    steps.update({(k, n): s for k, n, s in changes})
    return tuple((k, n, s) for (k, n), s in steps.items())


RECEIVED = at((RECEIPT, 0, DONE))
ISOLATED = at((RECEIPT, 0, DONE), (ISOLATION, 0, DONE))
P0_SEEDED = at((RECEIPT, 0, DONE), (ISOLATION, 0, DONE), (PASSAGE, 0, IN_PROGRESS))
P0_DONE = at((RECEIPT, 0, DONE), (ISOLATION, 0, DONE), (PASSAGE, 0, DONE))
P1_SEEDED = at((RECEIPT, 0, DONE), (ISOLATION, 0, DONE), (PASSAGE, 0, DONE), (PASSAGE, 1, IN_PROGRESS))
FROZEN = at((RECEIPT, 0, DONE), (ISOLATION, 0, DONE), (PASSAGE, 0, DONE), (FREEZING, 0, DONE))
STORED = at((RECEIPT, 0, DONE), (ISOLATION, 0, DONE), (PASSAGE, 0, DONE), (FREEZING, 0, DONE),
            (STORAGE, 0, DONE))


@pytest.mark.parametrize(("steps", "allowed"), [
    (HARVESTED, {RECEIPT}),
    (at((RECEIPT, 0, IN_PROGRESS)), {RECEIPT}),
    (RECEIVED, {ISOLATION}),
    (ISOLATED, {SEED}),
    (P0_SEEDED, {PASSAGE_HARVEST}),
    (P0_DONE, {SEED, FREEZING}),
    (P1_SEEDED, {PASSAGE_HARVEST}),
    (FROZEN, {STORAGE}),
    (STORED, set()),
])
def test_the_moves_allowed_at_each_point_of_the_record(steps: tuple[tuple[str, int, str], ...],
                                                       allowed: set[str]) -> None:
    assert br.allowed_moves(steps) == allowed
    for move in br.MOVES:
        assert (br.refusal(steps, move) is None) == (move in allowed), move


@pytest.mark.parametrize(("steps", "move", "message"), [
    (HARVESTED, ISOLATION, "SVF isolation refused: receipt must be done first (it is planned)"),
    (HARVESTED, SEED, "seeding P0 refused: SVF isolation must be done first (it is planned)"),
    (HARVESTED, PASSAGE_HARVEST, "passage harvest refused: no passage is in progress (seed one first)"),
    (HARVESTED, FREEZING, "formulation and freezing refused: no passage harvest count recorded yet"),
    (HARVESTED, STORAGE, "storage refused: formulation and freezing must be done first (it is planned)"),
    ((), RECEIPT, "receipt refused: harvest must be done first (it is not recorded)"),
    (at((HARVEST, 0, IN_PROGRESS)), RECEIPT, "receipt refused: harvest must be done first (it is in progress)"),
    (RECEIVED, RECEIPT, "receipt refused: receipt is already done"),
    (at((RECEIPT, 0, REJECTED)), RECEIPT, "receipt refused: receipt is already rejected"),
    (ISOLATED, ISOLATION, "SVF isolation refused: SVF isolation is already done"),
    (ISOLATED, FREEZING, "formulation and freezing refused: no passage harvest count recorded yet"),
    (P0_SEEDED, SEED, "seeding P1 refused: P0 is still in progress (record its harvest first)"),
    (P0_SEEDED, FREEZING, "formulation and freezing refused: no passage harvest count recorded yet"),
    (P0_DONE, PASSAGE_HARVEST, "passage harvest refused: no passage is in progress (seed one first)"),
    (P1_SEEDED, FREEZING, "formulation and freezing refused: P1 is still in progress"),
    (at((RECEIPT, 0, DONE), (ISOLATION, 0, DONE), (PASSAGE, 0, REJECTED)), SEED,
     "seeding P1 refused: a passage was rejected"),
    (FROZEN, SEED, "seeding P1 refused: formulation and freezing is done"),
    (FROZEN, FREEZING, "formulation and freezing refused: formulation and freezing is already done"),
    (STORED, STORAGE, "storage refused: storage is already done"),
])
def test_every_forbidden_move_is_refused_with_its_reason(steps: tuple[tuple[str, int, str], ...], move: str,
                                                         message: str) -> None:
    assert br.refusal(steps, move) == message


@pytest.mark.parametrize("status", ["rejected", "voided"])
def test_a_closed_batch_takes_no_processing_step(status: str) -> None:
    for steps in (HARVESTED, P0_SEEDED, P0_DONE):
        for move in (RECEIPT, ISOLATION, SEED, PASSAGE_HARVEST, FREEZING):
            assert br.refusal(steps, move, batch_status=status) == (
                f"the batch is {status}; no further step can be recorded")
    assert br.allowed_moves(P0_DONE, batch_status=status) == frozenset()


def test_a_rejected_batch_can_still_be_stored_a_voided_one_cannot() -> None:
    assert br.allowed_moves(FROZEN, batch_status="rejected") == {STORAGE}
    assert br.refusal(FROZEN, STORAGE, batch_status="voided") == "the batch is voided"
    for status in ("in_process", "quarantine", "released"):
        assert br.batch_refusal(status) is None


def test_passage_numbering() -> None:
    assert br.next_passage_number(ISOLATED) == 0 and br.current_passage(ISOLATED) is None
    assert br.next_passage_number(P0_SEEDED) == 1 and br.current_passage(P0_SEEDED) == 0
    assert br.next_passage_number(P1_SEEDED) == 2 and br.current_passage(P1_SEEDED) == 1
    assert br.label(PASSAGE, 3) == "P3" and br.label(FREEZING) == "formulation and freezing"


@pytest.mark.parametrize(("state", "message"), [
    (PLANNED, None),
    (IN_PROGRESS, None),
    (DONE, "rejecting P1 refused: it is already done (record a deviation instead)"),
    (REJECTED, "rejecting P1 refused: it is already rejected (record a deviation instead)"),
])
def test_only_an_open_step_can_be_rejected(state: str, message: str | None) -> None:
    assert br.rejection_refusal(PASSAGE, 1, state) == message


def test_an_unknown_move_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown"):
        br.refusal(HARVESTED, "thaw")
