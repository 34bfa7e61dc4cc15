"""Places below the province and news sites: what they say about an article's province.

Two data files: `data/gazetteer.json` (districts and communes of the 63 pre-2025 provinces and
the wards of the 34 merged in July 2025, generated from the vietnam-provinces package by
tools/make_gazetteer.py) and
`data/outlets.json` (provincial newspapers, broadcasters and party portals by host name;
national outlets, which name no province). Many district names recur across provinces
("huyện Châu Thành" is in ten), so a name points to a province only when it is unique.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Callable, Mapping

from tongket.store.lang.datafiles import data_json
from tongket.store.lang.province_cues import cues
from tongket.store.lang.text import nfc, tone_norm

@dataclass(frozen=True, slots=True)
class Outlets:
    provincial: Mapping[str, str]  # host -> province
    national: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Gazetteer:
    districts: Mapping[str, Mapping[str, tuple[str, ...]]]  # name -> type word -> provinces
    wards: Mapping[str, str]  # commune or ward name found in one province only -> that province
    wards_2025: Mapping[str, str]  # the same among the 34 provinces merged in July 2025


@cache
def load_outlets() -> Outlets:
    """`data/outlets.json`: provincial and national news sites by host name."""
    raw = data_json("outlets.json")
    return Outlets(MappingProxyType({h.lower(): nfc(p) for h, p in raw["provincial"].items()}),
                   tuple(h.lower() for h in raw["national"]))


@cache
def load_gazetteer() -> Gazetteer:
    """`data/gazetteer.json`, keyed by tone-normalised names ("Tuy Hoà" is "Tuy Hòa")."""
    raw = data_json("gazetteer.json")
    districts = {tone_norm(n): MappingProxyType({k: tuple(v) for k, v in types.items()})
                 for n, types in raw["districts"].items()}
    wards = {tone_norm(k): v for k, v in raw["wards"].items()}
    wards_2025 = {tone_norm(k): v for k, v in raw.get("wards_2025", {}).items()}
    return Gazetteer(MappingProxyType(districts), MappingProxyType(wards), MappingProxyType(wards_2025))


def places_province(text: str, canonical: Callable[[str], str | None]) -> tuple[str, str] | None:
    """(province, evidence) from the districts and communes `text` names ("huyện Mường Tè
    → Lai Châu"); the province most unique names point to wins. `canonical` maps the
    gazetteer's province names to the catalogue's."""
    gaz = load_gazetteer()
    votes: dict[str, list] = {}
    c = cues()
    for m in c.place.finditer(tone_norm(text)):
        kind, words = m.group(1).lower(), m.group(2).split()
        kind = c.kind_abbrevs.get(kind, kind)
        provs: tuple[str, ...] = ()
        for n in range(len(words), 0, -1):
            cand = " ".join(words[:n])
            if kind in c.communes:
                hit = gaz.wards.get(cand) or gaz.wards_2025.get(cand)
                provs = (hit,) if hit else ()
            else:
                provs = gaz.districts.get(cand, {}).get(kind, ())
            if provs:
                break
        if len(provs) == 1:
            prov = canonical(provs[0]) or provs[0]
            votes.setdefault(prov, [0, f"{kind} {cand} → {prov}"])[0] += 1
    if not votes:
        return None
    prov, (_, evidence) = max(votes.items(), key=lambda kv: kv[1][0])
    return prov, evidence
