"""The point catalogue: every WHO standard point by name, found by the codes people write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from crampcare.kb.catalogue import catalogue_point, normalise_point_code
from crampcare.kb.loader import KnowledgeBase, KnowledgeBaseError, default_data_dir, load_kb
from crampcare.kb.schema.catalogue import has_tone_mark


def test_every_prescribable_point_is_in_the_catalogue_under_the_same_names(
    kb: KnowledgeBase,
) -> None:
    for code, point in kb.points.items():
        if code == "ASHI":
            continue
        entry = kb.catalogue[code]
        assert (entry.pinyin, entry.hanzi, entry.hanzi_simplified, entry.meridian) == (
            point.pinyin,
            point.chinese_traditional,
            point.chinese_simplified,
            point.meridian,
        )


def test_keys_are_the_codes_and_every_entry_is_named(kb: KnowledgeBase) -> None:
    for key, entry in kb.catalogue.items():
        assert key == entry.code == entry.display_code.replace("-", "")
        assert has_tone_mark(entry.pinyin), entry.code
        assert entry.hanzi and entry.hanzi_simplified and entry.english, entry.code


NORMALISED = [
    pytest.param("LI4", "LI4", id="already-canonical"),
    pytest.param("li-4", "LI4", id="lower-case-with-hyphen"),
    pytest.param(" Li 04 ", "LI4", id="spaces-and-leading-zero"),
    pytest.param("SJ5", "TE5", id="san-jiao-is-triple-energizer"),
    pytest.param("TB5", "TE5", id="triple-burner-is-triple-energizer"),
    pytest.param("LV3", "LR3", id="lv-is-liver"),
    pytest.param("Liv3", "LR3", id="liv-is-liver"),
    pytest.param("DU20", "GV20", id="du-is-governor-vessel"),
    pytest.param("REN12", "CV12", id="ren-is-conception-vessel"),
    pytest.param("UB40", "BL40", id="ub-is-bladder"),
    pytest.param("K1", "KI1", id="k-is-kidney"),
    pytest.param("P6", "PC6", id="p-is-pericardium"),
    pytest.param("EX-HN3", "EXHN3", id="extra-point-display-code"),
    pytest.param("ex-hn-3", "EXHN3", id="extra-point-lower-case"),
    pytest.param("ASHI", "ASHI", id="tender-point-unchanged"),
    pytest.param("hegu", "HEGU", id="not-a-code-is-only-compacted"),
]


@pytest.mark.parametrize(("written", "code"), NORMALISED)
def test_written_codes_are_normalised(written: str, code: str) -> None:
    assert normalise_point_code(written) == code


def test_a_legacy_code_finds_the_catalogue_entry(kb: KnowledgeBase) -> None:
    point = catalogue_point(kb, "sj-5")
    assert point is not None and point.code == "TE5"
    assert catalogue_point(kb, "LI99") is None
    assert catalogue_point(kb, "") is None


def _broken(tmp_path: Path, file_name: str, code: str, changes: dict[str, object]) -> Path:
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    path = data / file_name
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(e for e in items if e["code"] == code)
    for key, value in changes.items():
        if value is None:
            del entry[key]
        else:
            entry[key] = value
    path.write_text(yaml.safe_dump(items, allow_unicode=True), encoding="utf-8")
    return data


REFUSED = [
    pytest.param(
        "catalogue.li.yaml",
        "LI4",
        {"code": "LI-4"},
        "entry 'LI-4'",
        "malformed catalogue code",
        id="code-with-hyphen",
    ),
    pytest.param(
        "catalogue.li.yaml",
        "LI4",
        {"code": "LI21"},
        "entry 'LI21'",
        "malformed",
        id="number-beyond-the-meridian",
    ),
    pytest.param(
        "catalogue.li.yaml",
        "LI4",
        {"pinyin": None},
        "field 'pinyin'",
        "Field required",
        id="missing-pinyin",
    ),
    pytest.param(
        "catalogue.li.yaml",
        "LI4",
        {"pinyin": "Hegu"},
        "entry 'LI4'",
        "no tone marks",
        id="pinyin-without-tones",
    ),
    pytest.param(
        "catalogue.li.yaml",
        "LI4",
        {"hanzi": "Hegu"},
        "entry 'LI4'",
        "Chinese characters",
        id="hanzi-not-chinese",
    ),
    pytest.param(
        "catalogue.li.yaml",
        "LI4",
        {"meridian": "Lung"},
        "entry 'LI4'",
        "meridian must be",
        id="wrong-meridian",
    ),
    pytest.param(
        "catalogue.li.yaml",
        "LI4",
        {"hanzi": "合穀"},
        "points.yaml, entry 'LI4', field 'chinese_traditional'",
        "differs from the catalogue",
        id="disagrees-with-points-yaml",
    ),
]


@pytest.mark.parametrize(("file_name", "code", "changes", "where", "message"), REFUSED)
def test_the_loader_refuses_a_bad_catalogue_entry(
    tmp_path: Path,
    file_name: str,
    code: str,
    changes: dict[str, object],
    where: str,
    message: str,
) -> None:
    data = _broken(tmp_path, file_name, code, changes)
    with pytest.raises(KnowledgeBaseError) as err:
        load_kb(data)
    problems = [p for p in err.value.problems if where in p]
    assert problems and any(message in p for p in problems), err.value.problems
    assert any(p.startswith(file_name) or p.startswith("points") for p in problems)


def test_the_loader_refuses_a_point_missing_from_the_catalogue(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    path = data / "catalogue.li.yaml"
    items = [e for e in yaml.safe_load(path.read_text(encoding="utf-8")) if e["code"] != "LI4"]
    path.write_text(yaml.safe_dump(items, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as err:
        load_kb(data)
    assert "points.yaml, entry 'LI4', field 'code': not in the catalogue" in err.value.problems
