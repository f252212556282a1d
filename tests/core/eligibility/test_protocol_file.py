"""The protocol loader: a reviewer's mistake is reported with file, line and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stromalab.core.protocol import ProtocolError, load_protocol, protocols_root

SOURCE = protocols_root() / "NCT05947682"


def _copy_with(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "NCT05947682"
    shutil.copytree(SOURCE, folder)
    path = folder / "eligibility.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def _line_of(folder: Path, needle: str) -> int:
    lines = (folder / "eligibility.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_the_shipped_protocol_loads() -> None:
    protocol = load_protocol("NCT05947682")
    assert protocol.id == "NCT05947682"
    assert protocol.enrollment_target == 6
    assert [c.id for c in protocol.criteria][:3] == ["I1", "I2", "I3"]
    assert protocol.answer_ids == frozenset(f"E{i}" for i in range(1, 23))
    assert protocol.study["protocolSection"]["identificationModule"]["nctId"] == "NCT05947682"


def test_a_folder_path_works(tmp_path: Path) -> None:
    folder = _copy_with(tmp_path, 'version: "1.0"', 'version: "1.1"')
    assert load_protocol(folder).version == "1.1"


@pytest.mark.parametrize(
    ("old", "new", "needle", "key", "message"),
    [
        ("value: {of: bmi, below: 30}", "value: {of: bmi, under: 30}", "of: bmi, under", "criteria[1].rule.value.under", "unknown key"),
        ("value: {of: bmi, below: 30}", "value: {of: bmy, below: 30}", "of: bmy", "criteria[1].rule.value.of", "unknown quantity 'bmy'"),
        ("value: {of: bmi, below: 30}", "value: {of: bmi, below: thirty}", "below: thirty", "criteria[1].rule.value.below", "must be a number"),
        ("codelist: cancer, when: ever", "codelist: cancers, when: ever", "codelist: cancers", "criteria[16].rule.reported.shown_by[0].history.codelist", "unknown code list 'cancers'"),
        ("codelist: cancer, when: ever", "codelist: cancer, when: sometimes", "when: sometimes", "criteria[16].rule.reported.shown_by[0].history.when", "must be ever or active"),
        ("codes: [C00-C97, D00-D09]", "codes: [C97-C00, D00-D09]", "C97-C00", "codelists.cancer.codes[0]", "is empty"),
        ("codes: [C00-C97, D00-D09]", "codes: [C00-C97, D0]", "D0]", "codelists.cancer.codes[1]", "not an ICD-10 code"),
        ("rule: {answer: E3}", "rule: {answer: E33}", "answer: E33", "criteria[8].rule.answer", "'E33' is not an exclusion criterion id"),
        ("rule: {answer: E3}", "rule: {answr: E3}", "answr: E3", "criteria[8].rule.answr", "unknown rule kind"),
        ("kind: inclusion\n    text: Non-smoker", "kind: include\n    text: Non-smoker", "kind: include", "criteria[2].kind", "must be inclusion or exclusion"),
        ("- id: E22", "- id: E21", "- id: E21\n", "criteria[27].id", "duplicate criterion id"),
        ('"true": [never, former]', '"true": [never, sometimes]', "sometimes", "criteria[2].rule.choice.true[1]", "'sometimes' is not a value of smoking"),
    ],
)
def test_mistakes_name_file_line_and_key(tmp_path: Path, old: str, new: str, needle: str, key: str, message: str) -> None:
    folder = _copy_with(tmp_path, old, new)
    with pytest.raises(ProtocolError) as caught:
        load_protocol(folder)
    error = caught.value
    assert error.key == key
    assert message in error.message
    assert error.path.endswith("eligibility.yaml")
    if needle != "- id: E21\n":
        assert error.line == _line_of(folder, needle.rstrip("]"))
    assert str(error).startswith(f"{error.path}:{error.line}: {key}: ")


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    folder = _copy_with(tmp_path, "  - id: I2\n", "  - id: I2\n   bad: [\n")
    with pytest.raises(ProtocolError, match=r"eligibility\.yaml:\d+: YAML syntax error"):
        load_protocol(folder)


def test_unknown_study_id() -> None:
    with pytest.raises(ProtocolError, match="no protocol folder for 'NCT00000000'"):
        load_protocol("NCT00000000")


def test_folder_name_must_match(tmp_path: Path) -> None:
    folder = _copy_with(tmp_path, "protocol: NCT05947682", "protocol: NCT99999999")
    with pytest.raises(ProtocolError, match="does not match the folder name"):
        load_protocol(folder)
