"""FCS panel uploads: a control tube and stained tubes, stored once with their SHA-256, the
ISCT phenotype computed by the core, and each identity test measured recorded as a QC result.

Before anything is stored, the upload must make sense as a panel: no file given twice (the same
SHA-256 as control and as stained tube would measure the control against itself), and every
stained tube measuring at least one of the panel's markers (a tube of other stains adds nothing
but a panel verdict "incomplete"). A control acquired on another instrument ($CYT) or another
day ($DATE) than a stained tube may be legitimate, so it is stored with a warning that the QC
page and the release summary show, not refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.manufacturing.models import Batch

from .. import models as m
from .. import storage
from ..permissions import ANALYSTS
from ..queries import current_results, specification
from ..spec import IDENTITY_TESTS, identity_values
from .inputs import clean_text
from .results import _apply_correction, _enter_result, lock_open_batch


@dataclass(frozen=True)
class Upload:
    """An uploaded file as plain values: the name the user gave it and its bytes."""

    name: str
    data: bytes


def _refuse_repeated_files(uploads: Sequence[Upload], names: Sequence[str]) -> None:
    """Refuse an upload that gives one file (one SHA-256) twice, e.g. as control and stained."""
    seen: dict[str, str] = {}
    for upload, name in zip(uploads, names, strict=True):
        digest = storage.sha256(upload.data)
        if digest in seen:
            raise ValidationError({"stained": _(
                "%(name)s and %(first)s are the same file (identical SHA-256): a stained tube is "
                "measured against a different control tube; nothing was stored") % {
                    "name": name, "first": seen[digest]}})
        seen[digest] = name


def _refuse_tubes_without_panel_markers(stained: Sequence[Any], panel: Any) -> None:
    """Refuse a stained tube none of whose channels measures a marker of ``panel``."""
    from stromalab.core.cytometry.markers import channel_markers

    wanted = [marker for limit in panel.limits for marker in limit.markers]
    for data in stained:
        measured = {marker for _index, names in channel_markers(data.channels, {}) for marker in names}
        if not measured & set(wanted):
            raise ValidationError({"stained": _(
                "%(name)s measures none of the panel's markers (%(markers)s): it is not a tube of "
                "this panel; nothing was stored") % {"name": data.source, "markers": ", ".join(wanted)}})


def _parse_uploads(control: Upload, stained: Sequence[Upload]) -> tuple[Any, list[Any], Any]:
    """Every file read, checked to make a panel and the phenotype computed, before anything is
    stored; a file that cannot be read, or does not belong, is refused by its name."""
    from stromalab.core.cytometry import FcsError, parse_fcs
    from stromalab.core.cytometry.panel import ISCT_2006
    from stromalab.core.cytometry.phenotype import phenotype

    if not stained:
        raise ValidationError({"stained": "upload at least one stained tube"})
    names = [storage.safe_name(u.name) for u in (control, *stained)]
    if len(set(names)) != len(names):
        raise ValidationError({"stained": "two files have the same name"})
    _refuse_repeated_files((control, *stained), names)
    parsed = []
    for upload, name in zip((control, *stained), names, strict=True):
        if not upload.data:
            raise ValidationError({"files": f"{name}: the file is empty"})
        try:
            parsed.append(parse_fcs(upload.data, name))
        except FcsError as e:
            raise ValidationError({"files": f"{e} — not a readable FCS file, nothing was stored"}) from e
    _refuse_tubes_without_panel_markers(parsed[1:], ISCT_2006)
    try:
        result = phenotype(parsed[0], parsed[1:], panel=ISCT_2006, histograms=True)
    except FcsError as e:
        raise ValidationError({"files": f"{e} — nothing was stored"}) from e
    return parsed[0], parsed[1:], result


def _keyword_date(keywords: Any) -> dt.date | None:
    """The date of the FCS ``$DATE`` keyword (instruments write it many ways); None when it is
    missing, unreadable or in the future."""
    text = str(keywords.get("$DATE", "") or "").strip()
    for fmt in ("%d-%b-%Y", "%Y-%m-%d", "%d-%b-%y", "%d/%m/%Y", "%m/%d/%Y", "%Y-%b-%d", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(text.title() if "%b" in fmt else text, fmt).date()
        except ValueError:
            continue
        if day <= timezone.localdate():
            return day
    return None


def _acquired_on(keywords: Any) -> dt.date:
    """The acquisition date of ``$DATE``; today when it is missing, unreadable or in the future."""
    return _keyword_date(keywords) or timezone.localdate()


def _control_warnings(control: Any, stained: Sequence[Any]) -> list[dict[str, str]]:
    """One warning per stained tube whose instrument (``$CYT``) or acquisition date (``$DATE``)
    differs from the control's, both being recorded (:meth:`FcsPanel.warning_texts` words it)."""
    out: list[dict[str, str]] = []
    own_cyt = " ".join(str(control.keywords.get("$CYT") or "").split())
    own_day = _keyword_date(control.keywords)
    for data in stained:
        cyt = " ".join(str(data.keywords.get("$CYT") or "").split())
        if own_cyt and cyt and own_cyt.casefold() != cyt.casefold():
            out.append({"kind": "instrument", "file": data.source, "control_file": control.source,
                        "control": own_cyt, "stained": cyt})
        day = _keyword_date(data.keywords)
        if own_day and day and own_day != day:
            out.append({"kind": "date", "file": data.source, "control_file": control.source,
                        "control": own_day.isoformat(), "stained": day.isoformat()})
    return out


@transaction.atomic(durable=True)
def upload_panel(*, batch: Batch, control: Upload, stained: Sequence[Upload], acting_user: Any,
                 reason: str = "") -> m.FcsPanel:
    """Store a phenotype panel (control tube + stained tubes) and record its identity results.

    Every file is read and the phenotype computed before anything is stored: a file that is not
    a readable FCS file is refused with a message naming it and the problem. Files are written
    once under the media directory with their SHA-256; if anything fails afterwards, the files
    written are removed and the transaction rolls back. Each identity test measured (CD73, CD90,
    CD105 >= 95 %; CD45, CD34, CD14/CD11b, CD19/CD79a, HLA-DR <= 2 %) becomes a QC result
    (worst value of a slot's markers), judged like any result; a test that already has a result
    is corrected, which needs ``reason``.
    """
    check_role(acting_user, ANALYSTS)
    batch = lock_open_batch(batch)
    control_data, stained_data, result = _parse_uploads(control, stained)
    from ..histograms import finite

    phenotype_json = finite(result.as_json(histograms=True))
    values = identity_values(phenotype_json["isct"]["criteria"])
    existing = current_results(batch)
    replaced = [t for t in IDENTITY_TESTS if t in values and t in existing]
    reason = clean_text(reason, "reason", 1000)
    if replaced and not reason:
        spec = specification(batch)
        raise ValidationError({"reason": "results already exist for "
                               + ", ".join(spec.requirement(t).name for t in replaced)
                               + ": give a reason to replace them with this panel's"})
    staged: list[tuple[Any, str, str]] = []
    try:
        acquired = _acquired_on(control_data.keywords)
        keywords = control_data.keywords
        instrument = str(keywords.get("$CYT") or keywords.get("CREATOR") or "").strip()[:200]
        warnings = _control_warnings(control_data, stained_data)
        panel = m.FcsPanel.objects.create(
            batch=batch, uploaded_by=acting_user, panel_name=result.panel, verdict=result.verdict,
            phenotype=phenotype_json, instrument=instrument, acquired_on=acquired, warnings=warnings)
        files = []
        for position, (upload, data) in enumerate(zip((control, *stained), (control_data, *stained_data),
                                                       strict=True)):
            digest = storage.sha256(upload.data)
            name = storage.safe_name(upload.name)
            relative = f"fcs/{batch.code}/panel-{panel.pk}/{position}-{digest[:16]}-{name}"
            staged.append((storage.stage(upload.data), relative, digest))
            files.append(m.FcsFile.objects.create(
                panel=panel, role=m.FcsFile.CONTROL if position == 0 else m.FcsFile.STAINED,
                position=position, original_name=name, stored_path=relative, sha256=digest,
                size=len(upload.data), fcs_version=data.version, events=data.event_count))
        record_event(acting_user=acting_user, action=EventKind.CREATE, record=panel, new={
            "verdict": panel.verdict, "instrument": instrument, "acquired_on": acquired,
            "files": [{"role": f.role, "name": f.original_name, "sha256": f.sha256, "size": f.size,
                       "path": f.stored_path} for f in files],
            "criteria": phenotype_json["isct"]["criteria"], "warnings": warnings})
        for test_id in IDENTITY_TESTS:
            if test_id not in values:
                continue
            value = format(values[test_id], "f")
            if test_id in existing:
                _apply_correction(result=existing[test_id], panel=panel, acting_user=acting_user,
                                  reason=reason, changes={
                                      "value": value, "unit": "%", "method": "flow cytometry",
                                      "instrument": instrument, "performed_on": acquired})
            else:
                _enter_result(batch=batch, test_id=test_id, value=value, unit="%",
                              method="flow cytometry", instrument=instrument,
                              performed_on=acquired, panel=panel, acting_user=acting_user)
        # last, once every row is written: the files move into place just before the commit
        for path, relative, digest in staged:
            storage.publish(path, relative, digest)
    except BaseException:
        storage.discard([path for path, _, _ in staged])
        raise
    return panel
