"""The point catalogue: every WHO standard point by name, found by the codes people write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from crampcare.kb.catalogue import catalogue_point, normalise_point_code
from crampcare.kb.loader import KnowledgeBase, KnowledgeBaseError, default_data_dir, load_kb
from crampcare.kb.schema.catalogue import EXTRA_GROUPS, MERIDIANS, group_of, has_tone_mark
from crampcare.services import NotFound, kb_card, kb_search

# WHO 2008, "Scope": the locations of 361 acupuncture points, on 14 meridians.
PER_MERIDIAN = {
    "LU": 11, "LI": 20, "ST": 45, "SP": 21, "HT": 9, "SI": 19, "BL": 67,
    "KI": 27, "PC": 9, "TE": 23, "GB": 44, "LR": 14, "GV": 28, "CV": 24,
}  # fmt: skip
EXTRA = {"EXHN": 15, "EXCA": 1, "EXB": 9, "EXUE": 11, "EXLE": 12}


def _count(kb: KnowledgeBase, group: str) -> int:
    return sum(1 for code in kb.catalogue if group_of(code) == group)


def test_the_catalogue_holds_the_361_who_standard_points(kb: KnowledgeBase) -> None:
    assert sum(PER_MERIDIAN.values()) == 361
    assert {g: _count(kb, g) for g in MERIDIANS} == PER_MERIDIAN
    assert {g: size for g, (_name, size) in MERIDIANS.items()} == PER_MERIDIAN


def test_the_catalogue_holds_the_48_who_extra_points(kb: KnowledgeBase) -> None:
    assert {g: _count(kb, g) for g in EXTRA_GROUPS} == EXTRA
    assert sum(EXTRA.values()) == 48
    assert len(kb.catalogue) == 361 + 48


def test_every_meridian_is_numbered_from_one_without_gaps(kb: KnowledgeBase) -> None:
    for group, size in {**PER_MERIDIAN, **EXTRA}.items():
        expected = {f"{group}{n}" for n in range(1, size + 1)}
        assert {c for c in kb.catalogue if group_of(c) == group} == expected, group


# (code, pinyin, traditional, simplified, meridian): a table a clinician can read
SPOT_CHECKS = [
    ("LI4", "Hégǔ", "合谷", "合谷", "Large Intestine"),
    ("ST36", "Zúsānlǐ", "足三里", "足三里", "Stomach"),
    ("GB34", "Yánglíngquán", "陽陵泉", "阳陵泉", "Gallbladder"),
    ("BL40", "Wěizhōng", "委中", "委中", "Bladder"),
    ("LR3", "Tàichōng", "太衝", "太冲", "Liver"),
    ("GV20", "Bǎihuì", "百會", "百会", "Governor Vessel"),
    ("CV4", "Guānyuán", "關元", "关元", "Conception Vessel"),
    ("CV12", "Zhōngwǎn", "中脘", "中脘", "Conception Vessel"),
    ("TE5", "Wàiguān", "外關", "外关", "Triple Energizer"),
    ("PC6", "Nèiguān", "內關", "内关", "Pericardium"),
    ("KI1", "Yǒngquán", "湧泉", "涌泉", "Kidney"),
    ("SP6", "Sānyīnjiāo", "三陰交", "三阴交", "Spleen"),
    ("HT7", "Shénmén", "神門", "神门", "Heart"),
    ("LU7", "Lièquē", "列缺", "列缺", "Lung"),
    ("SI3", "Hòuxī", "後谿", "后溪", "Small Intestine"),
    ("BL67", "Zhìyīn", "至陰", "至阴", "Bladder"),
    ("GB44", "Zúqiàoyīn", "足竅陰", "足窍阴", "Gallbladder"),
    ("EXHN3", "Yìntáng", "印堂", "印堂", "Extra points: head and neck"),
    ("EXHN5", "Tàiyáng", "太陽", "太阳", "Extra points: head and neck"),
    ("EXB2", "Jiájǐ", "夾脊", "夹脊", "Extra points: back"),
]


@pytest.mark.parametrize(
    ("code", "pinyin", "hanzi", "simplified", "meridian"),
    SPOT_CHECKS,
    ids=[row[0] for row in SPOT_CHECKS],
)
def test_spot_checks(
    kb: KnowledgeBase, code: str, pinyin: str, hanzi: str, simplified: str, meridian: str
) -> None:
    point = kb.catalogue[code]
    assert (point.pinyin, point.hanzi, point.hanzi_simplified, point.meridian) == (
        pinyin,
        hanzi,
        simplified,
        meridian,
    )


def test_extra_points_display_with_their_hyphen(kb: KnowledgeBase) -> None:
    assert kb.catalogue["EXHN3"].display_code == "EX-HN3"
    assert kb.catalogue["EXLE12"].display_code == "EX-LE12"
    assert kb.catalogue["GV20"].display_code == "GV20"


def test_a_catalogue_only_point_has_a_card_that_says_its_cautions_are_not_in_the_kb(
    kb: KnowledgeBase,
) -> None:
    card = kb_card(kb, "ex-hn3")
    assert card["type"] == "catalogue_point" and card["code"] == "EXHN3"
    assert (
        "cautions" in card["clinical_detail"]
        and "not in the knowledge base" in (card["clinical_detail"])
    )
    assert kb_card(kb, "SJ23")["code"] == "TE23"
    assert kb_card(kb, "LI4")["type"] == "point"  # the full entry wins over the catalogue's
    with pytest.raises(NotFound):
        kb_card(kb, "LI21")


def test_search_finds_catalogue_points_by_pinyin(kb: KnowledgeBase) -> None:
    hits = kb_search(kb, "yintang")
    assert [h["id"] for h in hits if h["kind"] == "catalogue_point"] == ["EXHN3"]


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


def test_no_two_points_share_a_code_or_a_traditional_name_within_a_meridian(
    kb: KnowledgeBase,
) -> None:
    seen: dict[tuple[str | None, str], str] = {}
    for code, entry in kb.catalogue.items():
        key = (group_of(code), entry.hanzi)
        assert key not in seen, (code, seen.get(key))
        seen[key] = code


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
