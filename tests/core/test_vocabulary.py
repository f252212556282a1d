"""Protocol vocabularies: loaded with their labels, and refused when they disagree with the
``procedure`` rule that reads the same items."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stromalab.core.protocol import ProtocolError, load_protocol, protocols_root


def _copy_with(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "NCT05947682"
    shutil.copytree(protocols_root() / "NCT05947682", folder)
    path = folder / "eligibility.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_the_shipped_vocabularies() -> None:
    vocabularies = load_protocol("NCT05947682").vocabularies
    procedure = vocabularies["surgery_procedure"]
    assert procedure.values[:2] == ("liposuction", "lipo-aspiration")
    term = procedure.term("  LipoAspiration ")
    assert term is not None and term.value == "lipo-aspiration" and term.label("fr") == "Lipoaspiration"
    assert procedure.term("Abdominal liposuction") is None
    assert vocabularies["surgery_anesthesia"].term("general") is not None


@pytest.mark.parametrize(("old", "new", "key", "message"), [
    ("- {value: general, en: General anaesthesia", "- {value: generale, en: General anaesthesia",
     "vocabularies.surgery_anesthesia", "'general' passes the procedure rule but no value or alias offers it"),
    ("aliases: [thigh]", "aliases: [thigh, abdomen of the thigh]",
     "vocabularies.surgery_site[2].aliases", "decided differently from its value 'thighs'"),
    ("aliases: [flank]", "aliases: [flank, thighs]", "vocabularies.surgery_site[2]", "spelled by another value"),
    ("  surgery_anesthesia:\n", "  surgery_anaesthesia:\n", "vocabularies.surgery_anaesthesia", "no vocabulary"),
    ("fr: Cuisses, ", "", "vocabularies.surgery_site[2].fr", "required text"),
])
def test_mistakes_name_the_key(tmp_path: Path, old: str, new: str, key: str, message: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        load_protocol(_copy_with(tmp_path, old, new))
    assert caught.value.key == key and message in caught.value.message
    assert caught.value.line is not None
