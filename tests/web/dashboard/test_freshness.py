"""The study's figures are counted once per change of the study (its audit version), exactly:
an audited change shows at once, an unchanged study is not counted again."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from stromalab.web.dashboard.stats import study_summary
from stromalab.web.donors.actions import register_donor


def test_unchanged_study_is_not_counted_again_and_a_change_shows_at_once(study: Any, make_user: Any) -> None:
    coordinator = make_user("coordinator")
    identity = {"last_name": "Martin", "first_name": "Claire", "birth_name": "", "address": "", "phone": "",
                "email": "", "nir": ""}
    register_donor(study=study, identity=identity, acting_user=coordinator)
    assert study_summary(study)["registered"] == 1
    with CaptureQueriesContext(connection) as again:
        assert study_summary(study)["registered"] == 1
    assert len(again.captured_queries) == 1  # the audit version, nothing else
    register_donor(study=study, identity={**identity, "first_name": "Léa"}, acting_user=coordinator)
    assert study_summary(study)["registered"] == 2  # the registration's audit event moved the version
