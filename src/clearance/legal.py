"""What a designation obliges a US bank or money transmitter to do.

A screening score becomes a decision only with its legal consequence: block, retain and report,
reject, or (for non-SDN lists) narrower restrictions. :func:`consequences_for` maps an entity's
program tags and dataset to those obligations, following ``docs/domain.md`` §2; every hit,
report and payment verdict shows them. Texts are deliberately conservative: they state the
obligation and its citation, and say "check" where the obligation depends on the transaction.

* ``us_ofac_sdn`` — every SDN is a blocked person: block, report in 10 business days (or reject and
  report), annual report, records for 10 years, the 50 Percent Rule; plus program-specific items
  (FTO: material support and retain-and-report; SDGT: secondary-sanctions risk). Tags Clearance
  does not know still get the generic SDN consequences.
* ``us_designations`` (the register) — FTO and SDGT as above; a revoked entry imposes nothing itself.
* ``us_ofac_cons`` — non-SDN lists: property is *not* blocked by the listing; specific prohibitions
  (CMIC securities ban, SSI directives, CAPTA correspondent-account rules, FSE transaction ban).
* ``un_sc_sanctions`` — UN Security Council asset freeze, binding through each jurisdiction's
  implementing law; treated as freeze-worthy because that is the conservative reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from clearance.model import (
    DATASET_OFAC_CONS,
    DATASET_OFAC_SDN,
    DATASET_REGISTER,
    DATASET_UN,
    Entity,
)


@dataclass(frozen=True, slots=True)
class Consequence:
    """One obligation following from a designation, with the programs that give rise to it."""

    code: str  # stable machine code, e.g. "block", "report_10_days"
    title: str
    legal_basis: str
    obligation: str  # plain English, for a bank or money transmitter
    programs: tuple[str, ...] = ()  # program tags behind it; empty = follows from the list itself

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["programs"] = list(self.programs)
        return data


#: Authorities of OFAC program tags (as printed in the SDN and consolidated lists). Tags of the
#: form ``NAME-EO12345`` not listed here are cited as "E.O. 12345" (see :func:`program_authority`).
PROGRAM_AUTHORITIES: dict[str, str] = {
    "FTO": "INA §219 (8 U.S.C. 1189); 18 U.S.C. 2339B; 31 CFR 597",
    "SDGT": "E.O. 13224 as amended, IEEPA; 31 CFR 594",
    "SDNTK": "Foreign Narcotics Kingpin Designation Act (21 U.S.C. 1901-1908); 31 CFR 598",
    "SDNT": "E.O. 12978; 31 CFR 536",
    "ILLICIT-DRUGS-EO14059": "E.O. 14059; 31 CFR 599",
    "TCO": "E.O. 13581 as amended by E.O. 13863; 31 CFR 590",
    "NPWMD": "E.O. 13382; 31 CFR 544",
    "GLOMAG": "E.O. 13818 (Global Magnitsky); 31 CFR 583",
    "MAGNIT": "Sergei Magnitsky Rule of Law Accountability Act of 2012",
    "CYBER2": "E.O. 13694 as amended by E.O. 13757; 31 CFR 578",
    "RUSSIA-EO14024": "E.O. 14024; 31 CFR 587",
    "BPI-RUSSIA-EO14024": "E.O. 14024 (blocked pending investigation); 31 CFR 587",
    "CAATSA - RUSSIA": "Countering America's Adversaries Through Sanctions Act (Pub. L. 115-44), title II",
    "CAATSA - IRAN": "Countering America's Adversaries Through Sanctions Act (Pub. L. 115-44), title I",
    "IRAN": "Iranian Transactions and Sanctions Regulations, 31 CFR 560",
    "IFSR": "Iranian Financial Sanctions Regulations, 31 CFR 561",
    "IRAN-HR": "E.O. 13553; 31 CFR 562",
    "IRAN-CON-ARMS-EO": "E.O. 13949",
    "IFCA": "Iran Freedom and Counter-Proliferation Act of 2012",
    "ISA": "Iran Sanctions Act of 1996",
    "HIFPAA": "Hizballah International Financing Prevention Act of 2015; 31 CFR 566",
    "CUBA": "Trading with the Enemy Act; Cuban Assets Control Regulations, 31 CFR 515",
    "SYRIA": "Syrian Sanctions Regulations, 31 CFR 542",
    "SYRIA-CAESAR": "Caesar Syria Civilian Protection Act of 2019",
    "DPRK": "North Korea Sanctions Regulations, 31 CFR 510",
    "DPRK2": "North Korea Sanctions Regulations, 31 CFR 510",
    "DPRK3": "North Korea Sanctions Regulations, 31 CFR 510",
    "DPRK4": "North Korea Sanctions Regulations, 31 CFR 510",
    "DPRK-NKSPEA": "North Korea Sanctions and Policy Enhancement Act of 2016; 31 CFR 510",
    "VENEZUELA": "E.O. 13692; Venezuela Sanctions Regulations, 31 CFR 591",
    "NICARAGUA": "E.O. 13851; 31 CFR 582",
    "NICARAGUA-NHRAA": "Nicaragua Human Rights and Anticorruption Act of 2018",
    "BALKANS": "E.O. 13219 as amended by E.O. 13304; 31 CFR 588",
    "BELARUS": "E.O. 13405; 31 CFR 548",
    "CAR": "E.O. 13667; 31 CFR 553",
    "DARFUR": "E.O. 13400; 31 CFR 546",
    "DRCONGO": "E.O. 13413 as amended by E.O. 13671; 31 CFR 547",
    "HRIT-IR": "E.O. 13606",
    "HRIT-SY": "E.O. 13606",
    "IRAN-TRA": "Iran Threat Reduction and Syria Human Rights Act of 2012",
    "IRAQ2": "E.O. 13315; 31 CFR 576",
    "IRAQ3": "E.O. 13438; 31 CFR 576",
    "LEBANON": "E.O. 13441; 31 CFR 549",
    "LIBYA2": "E.O. 13566; 31 CFR 570",
    "LIBYA3": "E.O. 13726; 31 CFR 570",
    "SOMALIA": "E.O. 13536 as amended by E.O. 13620; 31 CFR 551",
    "SOUTH SUDAN": "E.O. 13664; 31 CFR 558",
    "YEMEN": "E.O. 13611; 31 CFR 552",
    "UHRPA": "Uyghur Human Rights Policy Act of 2020",
    "CMIC-EO13959": "E.O. 13959 as amended by E.O. 14032; 31 CFR 586",
    "561-Related": "Iranian Financial Sanctions Regulations, 31 CFR 561 (CAPTA List)",
    "FSE-IR": "E.O. 13608 (Foreign Sanctions Evaders)",
    "NS-PLC": "Global Terrorism Sanctions Regulations, 31 CFR 594; 31 CFR 597 (Non-SDN PLC List)",
}

#: UN Security Council regimes (``UN_LIST_TYPE``) -> the resolutions that set them up.
UN_REGIMES: dict[str, str] = {
    "alqaida": "UNSC resolutions 1267 (1999), 1989 (2011) and 2253 (2015) (ISIL (Da'esh) and Al-Qaida)",
    "taliban": "UNSC resolution 1988 (2011) (Taliban)",
    "dprk": "UNSC resolution 1718 (2006) (DPRK)",
    "iran": "UNSC resolution 1737 (2006) and related resolutions (Iran)",
    "iraq": "UNSC resolution 1518 (2003) (Iraq)",
    "libya": "UNSC resolution 1970 (2011) (Libya)",
    "somalia": "UNSC resolutions 751 (1992) and 2713 (2023) (Somalia / Al-Shabaab)",
    "drc": "UNSC resolution 1533 (2004) (Democratic Republic of the Congo)",
    "car": "UNSC resolution 2127 (2013) (Central African Republic)",
    "sudan": "UNSC resolution 1591 (2005) (Sudan)",
    "southsudan": "UNSC resolution 2206 (2015) (South Sudan)",
    "yemen": "UNSC resolution 2140 (2014) (Yemen)",
    "haiti": "UNSC resolution 2653 (2022) (Haiti)",
    "gb": "UNSC resolution 2048 (2012) (Guinea-Bissau)",
}

#: SDN programs whose designations carry secondary-sanctions risk for foreign banks by statute or
#: order (per-entity "Secondary sanctions risk" remarks add others, see consequences_for_entity).
SECONDARY_SANCTIONS_PROGRAMS: dict[str, str] = {
    "SDGT": "E.O. 13224 §3 as amended by E.O. 13886",
    "IFSR": "Comprehensive Iran Sanctions, Accountability, and Divestment Act of 2010 §104; 31 CFR 561",
    "HIFPAA": "Hizballah International Financing Prevention Act of 2015 §102; 31 CFR 566",
}

REPORTING_BASIS = "31 CFR 501.603 / 501.604"

_EO_TAG_RE = re.compile(r"EO(\d{5})$")


def program_authority(program: str) -> str:
    """The authority behind an OFAC program tag, as precise as Clearance knows it."""
    if program in PROGRAM_AUTHORITIES:
        return PROGRAM_AUTHORITIES[program]
    match = _EO_TAG_RE.search(program)
    if match:
        return f"E.O. {match.group(1)}"
    return f"OFAC sanctions program {program}"


def _clean(programs: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in programs if p and p.strip()))


def _material_support(programs: tuple[str, ...]) -> Consequence:
    return Consequence(
        "material_support",
        "Providing material support to an FTO is a crime",
        "18 U.S.C. 2339B",
        "Knowingly providing material support or resources to a Foreign Terrorist Organization, "
        "including financial services, is a federal crime. Do not process the transaction; "
        "escalate to your BSA/AML officer.",
        programs,
    )


def _retain_report(programs: tuple[str, ...]) -> Consequence:
    return Consequence(
        "retain_report",
        "Retain the funds and report them to OFAC",
        "18 U.S.C. 2339B(a)(2); 31 CFR 597.201",
        "A financial institution that has possession or control of funds in which a Foreign "
        "Terrorist Organization or its agent has an interest must retain them and report them to "
        "OFAC within 10 business days.",
        programs,
    )


def _block(programs: tuple[str, ...]) -> Consequence:
    bases = "; ".join(dict.fromkeys(program_authority(p) for p in programs))
    return Consequence(
        "block",
        "Block all property and interests in property",
        f"{bases}; 31 CFR 501" if bases else "31 CFR 501 (SDN list: blocked persons)",
        "Freeze any funds or other property in which the party has an interest that come into "
        "your possession or control, and do not deal in them or process the transaction, unless "
        "an OFAC license authorises it. Liability is strict: intent does not matter.",
        programs,
    )


def _secondary(programs: tuple[str, ...], basis: str) -> Consequence:
    return Consequence(
        "secondary_sanctions",
        "Secondary-sanctions risk for foreign financial institutions",
        basis,
        "A foreign (non-US) bank that knowingly conducts or facilitates a significant transaction "
        "for this party risks losing or having restricted its US correspondent or payable-through "
        "accounts. Non-US institutions should treat the hit as a block.",
        programs,
    )


def _reporting(programs: tuple[str, ...]) -> list[Consequence]:
    """The reporting, record-keeping and ownership rules that follow from any SDN listing."""
    return [
        Consequence(
            "report_10_days",
            "Report blocked property within 10 business days",
            "31 CFR 501.603",
            "File a blocked-property report with OFAC within 10 business days of blocking.",
            programs,
        ),
        Consequence(
            "reject_report",
            "Reject and report prohibited transfers within 10 business days",
            "31 CFR 501.604",
            "Where a transfer is prohibited but there is no property interest to block, reject it "
            "and report the rejection to OFAC within 10 business days.",
            programs,
        ),
        Consequence(
            "annual_report",
            "Annual report of blocked property by September 30",
            "31 CFR 501.603(b)(2)",
            "Report all property blocked as of June 30 in the annual report due by September 30.",
            programs,
        ),
        Consequence(
            "keep_records",
            "Keep records for 10 years",
            "31 CFR 501.601",
            "Keep full records of the blocked property or rejected transaction, and of the "
            "screening decision, for 10 years.",
            programs,
        ),
        Consequence(
            "fifty_percent_rule",
            "Entities 50% or more owned by blocked persons are blocked too",
            "OFAC Revised Guidance on Entities Owned by Blocked Persons (50 Percent Rule, 2014)",
            "Any entity owned 50% or more, directly or indirectly, in aggregate by one or more "
            "blocked persons is itself blocked even if it is not listed: check ownership of "
            "counterparties linked to this party.",
            programs,
        ),
    ]


def _us_designation(programs: list[str], *, sdn: bool) -> list[Consequence]:
    """SDN and register designations: blocking programs plus the SDN reporting rules."""
    result: list[Consequence] = []
    if "FTO" in programs:
        result += [_material_support(("FTO",)), _retain_report(("FTO",))]
    blocking = tuple(p for p in programs if sdn or p != "FTO")
    if blocking or sdn:
        result.append(_block(blocking))
    secondary = tuple(p for p in programs if p in SECONDARY_SANCTIONS_PROGRAMS)
    if secondary:
        basis = "; ".join(SECONDARY_SANCTIONS_PROGRAMS[p] for p in secondary)
        result.append(_secondary(secondary, basis))
    return result + _reporting(tuple(programs))


def _revoked() -> list[Consequence]:
    return [
        Consequence(
            "designation_revoked",
            "Designation revoked",
            "US designation register",
            "The register marks this designation revoked: it imposes no obligation by itself. "
            "Check whether the party is still listed elsewhere (SDN list, SDGT).",
        )
    ]


def _non_sdn(programs: list[str]) -> list[Consequence]:
    """OFAC consolidated (non-SDN) lists: narrower prohibitions, property not blocked."""
    result = [
        Consequence(
            "no_blocking",
            "Non-SDN list: property is not blocked by this listing",
            "; ".join(program_authority(p) for p in programs) or "OFAC non-SDN lists",
            "The listing does not block the party's property. The program imposes specific, "
            "narrower prohibitions (directives or menu-based sanctions): check which apply to the "
            "transaction before processing, and whether the party is also on the SDN list.",
            tuple(programs),
        )
    ]
    for program in programs:
        basis = program_authority(program)
        if program.startswith("CMIC"):
            result.append(
                Consequence(
                    "securities_prohibition",
                    "No purchase or sale of its publicly traded securities",
                    basis,
                    "US persons may not purchase or sell publicly traded securities of this "
                    "Chinese military-industrial complex company, or securities that are "
                    "derivative of or designed to give exposure to them; other dealings are not "
                    "prohibited by this listing.",
                    (program,),
                )
            )
        elif program == "UKRAINE-EO13662":
            result.append(
                Consequence(
                    "sectoral_directives",
                    "Sectoral Sanctions Identifications (SSI): directive restrictions",
                    f"{basis}; Directives 1-4; 31 CFR 589",
                    "Dealings in new debt or new equity of the maturities the applicable directive "
                    "names (and, for energy directives, certain projects) are prohibited; other "
                    "dealings are allowed. Check which directive applies.",
                    (program,),
                )
            )
        elif program == "561-Related":
            result.append(
                Consequence(
                    "correspondent_account_prohibition",
                    "CAPTA List: correspondent-account restrictions",
                    basis,
                    "US financial institutions may not open, and must close or restrict, "
                    "correspondent or payable-through accounts for this foreign financial "
                    "institution as the listing specifies.",
                    (program,),
                )
            )
        elif program.startswith("FSE"):
            result.append(
                Consequence(
                    "reject_report",
                    "Foreign Sanctions Evader: reject transactions and report",
                    f"{basis}; 31 CFR 501.604",
                    "US persons may not engage in transactions or dealings with a listed foreign "
                    "sanctions evader; property is not blocked. Reject the transaction and report "
                    "it to OFAC within 10 business days.",
                    (program,),
                )
            )
    return result


def _un_regime(program: str) -> str | None:
    """The resolutions behind a UN list type, also when written with a "UN " prefix."""
    key = re.sub(r"[^a-z]", "", program.casefold())
    return UN_REGIMES.get(key) or UN_REGIMES.get(key.removeprefix("un"))


def _un(programs: list[str]) -> list[Consequence]:
    bases = [_un_regime(p) or f"UN Security Council sanctions regime {p}" for p in programs]
    return [
        Consequence(
            "un_asset_freeze",
            "UN Security Council sanctions: freeze assets",
            "; ".join(dict.fromkeys(bases)) or "UN Security Council sanctions",
            "UN member states must freeze the party's funds and economic resources without delay "
            "and make none available to it; the obligation binds you through your jurisdiction's "
            "implementing law (a US institution's blocking duty arises from the OFAC designation "
            "that implements it; most UN terrorism listings are also SDGT: check the SDN list).",
            tuple(programs),
        )
    ]


#: Derived datasets of :mod:`clearance.ownership` (entities blocked or flagged by ownership).
OWNERSHIP_BLOCKED, OWNERSHIP_REVIEW, OWNERSHIP_EU_UK = (
    "ownership_blocked",
    "ownership_review",
    "ownership_eu_uk",
)
FIFTY_PERCENT_GUIDANCE = (
    "OFAC, Revised Guidance on Entities Owned by Persons Whose Property and Interests in "
    "Property Are Blocked (50 Percent Rule), 13 August 2014"
)


def _ownership(programs: list[str], dataset: str) -> list[Consequence]:
    """Entities blocked or flagged because of who owns them, not because they are listed."""
    owners = tuple(programs)
    if dataset == OWNERSHIP_BLOCKED:
        bases = "; ".join(dict.fromkeys(program_authority(p) for p in programs))
        return [
            Consequence(
                "block",
                "Blocked by ownership (50 Percent Rule): block and report",
                f"{FIFTY_PERCENT_GUIDANCE}; {bases}; 31 CFR 501" if bases else FIFTY_PERCENT_GUIDANCE,
                "Blocked persons own 50% or more of this entity, directly or indirectly, "
                "individually or in the aggregate: its property is blocked although it appears "
                "on no list. Freeze it, do not process the transaction, and report it to OFAC "
                "within 10 business days.",
                owners,
            ),
            *[c for c in _reporting(owners) if c.code != "fifty_percent_rule"],
        ]
    if dataset == OWNERSHIP_EU_UK:
        return [
            Consequence(
                "ownership_asset_freeze",
                "EU/UK: owned more than 50% or controlled by a listed person: freeze",
                "EU Council Best Practices on restrictive measures (ownership and control); "
                "UK OFSI General Guidance (ownership and control)",
                "Under the EU and UK test an entity owned more than 50% or controlled by a listed "
                "person is presumed to be under its control: freeze its funds and make none "
                "available to it unless the presumption is rebutted.",
                owners,
            )
        ]
    return [
        Consequence(
            "ownership_review",
            "Possibly blocked or significant blocked ownership: review before processing",
            FIFTY_PERCENT_GUIDANCE,
            "Blocked persons may own 50% or more of this entity (the data gives ranges that "
            "reach 50%), or own a significant share below 50%. OFAC asks for caution: establish "
            "the ownership before processing, and block if it reaches 50%.",
            owners,
        )
    ]


def consequences_for(programs: Sequence[str], dataset: str) -> list[Consequence]:
    """The obligations that follow from a designation under ``programs`` on list ``dataset``."""
    cleaned = _clean(programs)
    if dataset in (OWNERSHIP_BLOCKED, OWNERSHIP_REVIEW, OWNERSHIP_EU_UK):
        return _ownership(cleaned, dataset)
    if dataset == DATASET_OFAC_SDN:
        return _us_designation(cleaned, sdn=True)
    if dataset == DATASET_REGISTER:
        return _us_designation(cleaned, sdn=False) if cleaned else _revoked()
    if dataset == DATASET_OFAC_CONS:
        return _non_sdn(cleaned)
    if dataset == DATASET_UN:
        return _un(cleaned)
    return [
        Consequence(
            "check_list",
            "Review against the issuing authority's rules",
            f"list {dataset or 'of unknown origin'}",
            "Clearance has no legal mapping for this list: the obligations depend on the "
            "jurisdiction that issued it. Escalate for review before processing.",
            tuple(cleaned),
        )
    ]


def consequences_for_entity(entity: Entity) -> list[Consequence]:
    """As :func:`consequences_for`, adding secondary-sanctions risk the entity's remarks state."""
    result = consequences_for(entity.programs, entity.dataset)
    stated = entity.properties.get("secondarySanctionsRisk", [])
    if stated and not any(c.code == "secondary_sanctions" for c in result):
        result.append(_secondary(tuple(entity.programs), "; ".join(stated)))
    return result


def block_worthy(programs: Sequence[str], dataset: str) -> bool:
    """Whether a confirmed hit means holding the funds (block, retain or freeze) rather than
    rejecting or reviewing: any SDN, an FTO/SDGT in force in the register, or a UN listing."""
    codes = {c.code for c in consequences_for(programs, dataset)}
    return bool(codes & {"block", "retain_report", "un_asset_freeze", "ownership_asset_freeze"})
