"""Demo patients whose presentations stop needling (fever with a stiff neck, a sudden cold pale
limb, saddle numbness, lockjaw after a wound, a drug-induced dystonia, tetany without a
laboratory result yet, a neck injury, a thunderclap headache), and those whose age or weeks of
pregnancy change the plan."""

from __future__ import annotations

from typing import Any

from crampcare.clinic.demo_people import _intake, _patient

URGENT_PEOPLE: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (  # a wry neck with fever in a child: the child's flag, and the paediatric limits
        _patient("Leo", "Marsh", "2016-05-03", "male", "+1 503 555 0150"),
        _intake(
            "2016-05-03",
            "male",
            {"kind": "spasm", "regions": ["neck"], "side": "right", "nocturnal": False},
            findings=["fever"],
        ),
    ),
    (  # a toddler after a fall onto the head: no needling under three
        _patient("Mia", "Okafor", "2024-06-10", "female", "+1 503 555 0151"),
        _intake(
            "2024-06-10",
            "female",
            {"kind": "spasm", "regions": ["neck"], "side": "both", "nocturnal": False},
            findings=["recent_head_or_neck_injury"],
        ),
    ),
    (  # fever and headache with upper back pain: same-day assessment
        _patient("Tomas", "Lindqvist", "1981-02-17", "male", "+1 503 555 0152"),
        _intake(
            "1981-02-17",
            "male",
            {"kind": "spasm", "regions": ["upper_back"], "side": "both", "nocturnal": False},
            findings=["fever", "headache"],
        ),
    ),
    (  # fever with a stiff neck: possible meningitis, emergency care now
        _patient("Grace", "Adeyemi", "1996-09-30", "female", "+1 503 555 0153"),
        _intake(
            "1996-09-30",
            "female",
            {"kind": "spasm", "regions": ["neck"], "side": "both", "nocturnal": False},
            findings=["fever", "neck_stiffness", "headache"],
        ),
    ),
    (  # low back spasm with saddle numbness: cauda equina, emergency care now
        _patient("Walter", "Brandt", "1966-04-22", "male", "+1 503 555 0154"),
        _intake(
            "1966-04-22",
            "male",
            {"kind": "spasm", "regions": ["low_back"], "side": "both", "nocturnal": False},
            findings=["saddle_numbness"],
        ),
    ),
    (  # jaw spasm after a garden wound, with a neck injury from the same fall
        _patient("Rafael", "Quintero", "1988-12-05", "male", "+1 503 555 0155"),
        _intake(
            "1988-12-05",
            "male",
            {"kind": "spasm", "regions": ["jaw", "neck"], "side": "both", "nocturnal": False},
            findings=["lockjaw_after_wound", "recent_head_or_neck_injury"],
        ),
    ),
    (  # a twisted neck after a new anti-sickness medicine
        _patient("Chloe", "Whitaker", "2002-07-19", "female", "+1 503 555 0156"),
        _intake(
            "2002-07-19",
            "female",
            {"kind": "spasm", "regions": ["neck", "jaw"], "side": "left", "nocturnal": False},
            findings=["dystonia_after_medicine"],
            medications=["Metoclopramide 10 mg"],
        ),
    ),
    (  # a sudden cold, pale, numb leg: acute limb ischaemia, emergency care now
        _patient("Henry", "Castellano", "1952-01-28", "male", "+1 503 555 0157"),
        _intake(
            "1952-01-28",
            "male",
            {"regions": ["calf", "foot"], "side": "right", "nocturnal": False},
            findings=["sudden_cold_pale_limb"],
        ),
    ),
    (  # hand spasms with tingling lips, no laboratory result yet
        _patient("Ines", "Moreau", "1985-03-11", "female", "+1 503 555 0158"),
        _intake(
            "1985-03-11",
            "female",
            {"kind": "spasm", "regions": ["hand"], "side": "both", "nocturnal": False},
            findings=["tetany_or_tingling_lips"],
        ),
    ),
    (  # neck spasm with a sudden, worst-ever headache: emergency care now
        _patient("Priya", "Nair", "1977-06-14", "female", "+1 503 555 0160"),
        _intake(
            "1977-06-14",
            "female",
            {"kind": "spasm", "regions": ["neck", "head"], "side": "both", "nocturnal": False},
            findings=["thunderclap_headache"],
        ),
    ),
    (  # night calf cramps in the first trimester
        _patient("Sofia", "Reyes", "1995-08-02", "female", "+1 503 555 0159"),
        _intake("1995-08-02", "female", {}, pregnant=True, weeks=9),
    ),
]
