"""Times in the site's time zone, the zone named: on every page, in signatures, configurable."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

from django.test import override_settings

from stromalab.web.localtime import local_text
from tests.web.processes import process_environment


def test_local_text_names_the_zone_in_winter_and_summer() -> None:
    assert local_text(dt.datetime(2026, 1, 6, 7, 30, tzinfo=dt.UTC)) == "2026-01-06 08:30 CET"
    assert local_text(dt.datetime(2026, 7, 6, 6, 30, 5, tzinfo=dt.UTC), seconds=True) == "2026-07-06 08:30:05 CEST"
    with override_settings(TIME_ZONE="America/Montreal"):
        assert local_text(dt.datetime(2026, 1, 6, 13, 30, tzinfo=dt.UTC)) == "2026-01-06 08:30 EST"


def test_every_page_names_the_time_zone(client_as: Any) -> None:
    page = client_as("investigator").get("/donors/").content.decode()
    assert "Times are shown in the site's time zone, Europe/Paris, and stored in UTC." in page


def test_a_signature_reads_in_local_time(make_user: Any) -> None:
    from stromalab.web.accounts.models import Signature

    signature = Signature(printed_name="Alice Martin", meaning="reviewed",
                          signed_at=dt.datetime(2026, 3, 2, 7, 30, tzinfo=dt.UTC))
    assert "2026-03-02 08:30:00 CET" in signature.manifestation()


def test_an_unknown_time_zone_is_refused_at_start_up() -> None:
    env = process_environment(STROMALAB_TIME_ZONE="Europe/Pariss", DJANGO_SETTINGS_MODULE="stromalab.web.settings")
    run = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode != 0 and "STROMALAB_TIME_ZONE='Europe/Pariss' is not an IANA time zone" in run.stderr
