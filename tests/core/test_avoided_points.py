"""The points left out, each with its reason and sources: by a caution kind (pregnancy, a young
child's lungs), or because no allowed position reaches them (a made-up knowledge base where a
point can be needled seated only: the shipped one reaches every point lying down and seated)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from crampcare.kb.loader import KnowledgeBase, default_data_dir, load_kb
from tests.factories import codes, run


def test_a_point_avoided_in_pregnancy_says_why_with_its_sources(kb: KnowledgeBase) -> None:
    found = run(
        kb,
        patient={"age": 30, "sex": "female", "pregnant": True, "pregnancy_weeks": 30},
        complaint={"kind": "spasm", "regions": ["neck"], "side": "left"},
    )
    gb21 = next(a for a in found["avoid_points"] if a["code"] == "GB21")
    assert sorted(gb21) == ["code", "reason", "sources"]
    assert gb21["reason"].startswith("Pregnancy: Traditionally avoided in pregnancy")
    assert [s["id"] for s in gb21["sources"]] == [
        "who_1999_safety",
        "traditional_pregnancy_points",
        "carr_2015_forbidden_points",
        "deadman_manual",
    ]
    assert "GB21" not in codes(found)


def test_tender_points_avoided_in_two_regions_are_listed_once(kb: KnowledgeBase) -> None:
    found = run(
        kb,
        patient={"age": 8, "sex": "female", "pregnant": False},
        complaint={"kind": "spasm", "regions": ["neck", "shoulder"], "side": "left"},
        findings=["trigger_points"],
    )
    avoided = [a["code"] for a in found["avoid_points"]]
    assert avoided.count("ASHI") == 1 and avoided.count("GB21") == 1
    ashi = next(a for a in found["avoid_points"] if a["code"] == "ASHI")
    assert ashi["reason"].startswith("Young child (under 12): ")


def seated_only_kb(tmp_path: Path, code: str) -> KnowledgeBase:
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    path = data / "points.yaml"
    points: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(p for p in points if p["code"] == code)["positions"] = ["seated"]
    path.write_text(yaml.safe_dump(points, allow_unicode=True, sort_keys=False), "utf-8")
    return load_kb(data)


def test_a_point_no_allowed_position_reaches_is_left_out_with_the_reason(tmp_path: Path) -> None:
    kb = seated_only_kb(tmp_path, "BL57")
    old = run(kb, patient={"age": 85, "sex": "female", "pregnant": False})
    bl57 = next(a for a in old["avoid_points"] if a["code"] == "BL57")
    assert bl57["reason"] == (
        "Cannot be reached in the positions allowed (prone, supine, side_lying: very old age "
        "(80 or over))."
    )
    assert bl57["sources"]
    assert "BL57" not in codes(old)
    assert {"GB34", "BL40"} <= codes(old)  # the points after it are still planned
    assert "BL57" in codes(run(kb))  # seated is fine without the caution


def test_tender_points_are_deferred_at_a_skin_lesion(kb: KnowledgeBase) -> None:
    found = run(
        kb,
        complaint={"kind": "spasm", "regions": ["neck"], "side": "left"},
        findings=["trigger_points", "skin_lesion_at_site"],
    )
    assert found["avoid_points"] == [
        {
            "code": "ASHI",
            "reason": "Tender-point needling deferred: a lesion or tumour is at a site (skin "
            "lesion at a needling site).",
            "sources": [s for s in found["avoid_points"][0]["sources"]],
        }
    ]
    assert [s["id"] for s in found["avoid_points"][0]["sources"]] == [
        "who_1999_safety",
        "ccaom_cnt_manual",
        "crampcare_decisions",
    ]
    # the points after the tender point are still planned
    assert codes(found) == {"GB20", "GB21", "LI4", "SI3", "GB39"}
