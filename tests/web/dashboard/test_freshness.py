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


def test_work_queues_are_counted_once_per_change(study: Any, make_user: Any, client_as: Any) -> None:
    coordinator = make_user("coordinator")
    client = client_as("coordinator", coordinator)
    client.get("/")  # the first page after login refreshes the session
    identity = {"last_name": "Martin", "first_name": "Claire", "birth_name": "", "address": "", "phone": "",
                "email": "", "nir": ""}
    register_donor(study=study, identity=identity, acting_user=coordinator)
    with CaptureQueriesContext(connection) as first:
        assert "NCT05947682-001" in client.get("/").content.decode()
    with CaptureQueriesContext(connection) as again:
        client.get("/")
    assert len(again.captured_queries) < len(first.captured_queries)
    register_donor(study=study, identity={**identity, "first_name": "Léa"}, acting_user=coordinator)
    assert "NCT05947682-002" in client.get("/").content.decode()  # the new donor waits to be screened


def test_workers_sharing_the_cache_folder_count_once_and_never_take_another_records_figures(
        study: Any, make_user: Any, tmp_path: Any, monkeypatch: Any) -> None:
    """Under ``stromalab serve`` the cache is a folder (STROMALAB_CACHE=files): what one worker
    counted, another reads. A record with as many events but another chain (a database restored
    from another instance's backup, or another instance sharing the folder) counts its own."""
    from django.core.cache.backends.filebased import FileBasedCache

    from stromalab.web.audit.models import ChainHead
    from stromalab.web.dashboard import freshness

    def worker() -> FileBasedCache:  # each gunicorn worker opens the folder on its own
        return FileBasedCache(str(tmp_path), {})

    coordinator = make_user("coordinator")
    identity = {"last_name": "Martin", "first_name": "Claire", "birth_name": "", "address": "", "phone": "",
                "email": "", "nir": ""}
    register_donor(study=study, identity=identity, acting_user=coordinator)
    monkeypatch.setattr(freshness, "cache", worker())
    assert study_summary(study)["registered"] == 1
    monkeypatch.setattr(freshness, "cache", worker())
    with CaptureQueriesContext(connection) as second_worker:
        assert study_summary(study)["registered"] == 1
    assert len(second_worker.captured_queries) == 1  # the audit version only: counted by the first
    ChainHead.objects.filter(pk=1).update(last_hash="0" * 64)  # same last id, another chain
    with CaptureQueriesContext(connection) as other_record:
        study_summary(study)
    assert len(other_record.captured_queries) > 1  # its own figures, counted


def test_cached_figures_hold_their_labels_translated_in_the_language_they_were_counted_in(study: Any) -> None:
    """A lazy translation is stored as its text (unpickling one builds a class, 0.5 ms each), under
    the key of its language: a French page reads French labels, an English one English."""
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    from stromalab.web.dashboard.freshness import as_of_last_change, current_version

    def count() -> dict[str, Any]:
        return {"label": gettext_lazy("Registered"), "n": 3}

    version = current_version()
    for language, text in (("fr", "Enregistrés"), ("en", "Registered")):
        with translation.override(language):
            as_of_last_change("labels", study.pk, count, version=version)
            cached = as_of_last_change("labels", study.pk, lambda: {"label": "not counted again", "n": 0},
                                       version=version)
        assert cached == {"label": text, "n": 3}
        assert type(cached["label"]) is str


def test_a_version_being_counted_is_waited_for_not_counted_twice(study: Any, monkeypatch: Any) -> None:
    """The dashboard and its API opened together after a change: the second waits for the figures
    the first is counting; when the first fails (its mark gone, no figures) the second counts."""
    import threading

    from django.core.cache import cache

    from stromalab.web.dashboard import freshness

    version = freshness.current_version()
    key = freshness.figures_key("waited", study.pk)
    mark = f"{key}:counting:{version}"
    assert cache.add(mark, True)  # another request counts this version

    def the_other_request_stores_its_figures() -> None:
        cache.set(key, (version, freshness._translated_pickle({"n": 7})))
        cache.delete(mark)

    timer = threading.Timer(0.05, the_other_request_stores_its_figures)
    timer.start()
    assert freshness.as_of_last_change("waited", study.pk, lambda: {"n": "counted twice"}, version=version) == {"n": 7}
    timer.join()

    key = freshness.figures_key("failed", study.pk)
    mark = f"{key}:counting:{version}"
    assert cache.add(mark, True)
    threading.Timer(0.05, lambda: cache.delete(mark)).start()
    assert freshness.as_of_last_change("failed", study.pk, lambda: {"n": 3}, version=version) == {"n": 3}


def test_each_figure_keeps_one_entry_in_the_folder_whatever_the_changes(
        study: Any, make_user: Any, client_as: Any, tmp_path: Any, monkeypatch: Any) -> None:
    """A change replaces the figures' entry instead of adding one: entries keyed by version piled
    up until Django's file cache culled a third of its folder at random (sessions and current
    figures with them). The dashboard reads the version once for its six figures."""
    from django.core.cache.backends.filebased import FileBasedCache

    from stromalab.web.dashboard import freshness

    monkeypatch.setattr(freshness, "cache", FileBasedCache(str(tmp_path), {}))
    investigator = make_user("investigator")
    client = client_as("investigator", investigator)
    client.get("/")  # the first page after login refreshes the session
    identity = {"last_name": "Martin", "first_name": "Claire", "birth_name": "", "address": "", "phone": "",
                "email": "", "nir": ""}
    client.get("/")
    entries = len(list(tmp_path.iterdir()))
    assert entries >= 6  # the summary and the investigator's five queues
    for first_name in ("Léa", "Inès", "Zoé"):
        register_donor(study=study, identity={**identity, "first_name": first_name}, acting_user=investigator)
        with CaptureQueriesContext(connection) as view:
            assert "NCT05947682-00" in client.get("/").content.decode()
        assert len(list(tmp_path.iterdir())) == entries
        assert sum("audit_chainhead" in q["sql"] for q in view.captured_queries) == 1


def test_the_donor_counts_are_counted_once_for_every_language(study: Any) -> None:
    """The donor aggregate carries no label: a French and an English dashboard share one count."""
    from django.utils import translation

    from stromalab.web.dashboard.consort import donor_counts
    from stromalab.web.dashboard.freshness import current_version

    version = current_version()
    with translation.override("en"):
        english = donor_counts(study, version)
    with translation.override("fr"), CaptureQueriesContext(connection) as french:
        assert donor_counts(study, version) == english
    assert not french.captured_queries
