"""The words around a province's or a place's name that say what the name is: a portal
header, "UBND tỉnh X", "Tỉnh ủy X", "huyện Mường Tè", "làm việc tại tỉnh X" (a place
visited), "Hà Nam cũ" (a former unit). Data (`data/province_cues.json`), compiled once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Mapping

from tongket.store.lang.wordlists import alt, word_lists


@dataclass(frozen=True, slots=True)
class Cues:
    portal: re.Pattern[str]  # a portal header's opening words
    trigger: re.Pattern[str]  # "tỉnh ", "TP.", with group 1 set when strong ("Tỉnh ủy ", "Báo ")
    former: re.Pattern[str]  # "(cũ)" right after a name
    visit: re.Pattern[str]  # a visit's words ending right before a trigger
    office_end: re.Pattern[str]  # an office ending right before a trigger ("UBND ")
    city_prefix: re.Pattern[str]  # "TP. ", "Thành phố " opening a city's name
    place: re.Pattern[str]  # a district or commune after its kind word: groups kind, name
    communes: frozenset[str]  # kind words of communes
    kind_abbrevs: Mapping[str, str]  # "tp" -> "thành phố"


@cache
def city_prefix() -> re.Pattern[str]:
    """ "TP. ", "Thành phố " opening a city's name: the one cue the catalogue's load needs
    (`list --province` checks a name and never compiles the detection's other patterns)."""
    return re.compile(rf"^(?:{alt(word_lists('province_cues.json')['city_prefixes'], ' ')})\s+")


@cache
def cues() -> Cues:
    w = word_lists("province_cues.json")
    return Cues(
        portal=re.compile(rf"(?i)({alt(w['portal_words'], ' ')})\b"),
        # "TP." may touch the name it prefixes ("UBND TP.HCM"); the other words are followed by a space
        trigger=re.compile(
            rf"(?<!\w)(?:(?:((?:{alt(w['committee_of'])})\s+(?:{alt(w['committee'])})|{alt(w['newspaper'])})"
            rf"|{alt(w['province_words'])})\s+|{alt(w['city_abbrev'])}\.\s*)",
            re.IGNORECASE,
        ),
        former=re.compile(rf"\s*\(?\s*{alt(w['former'])}\b", re.IGNORECASE),
        visit=re.compile(rf"(?:{alt(w['visit_words'])})\s+$", re.IGNORECASE),
        office_end=re.compile(rf"(?:{alt(w['offices'], ' ')})\s+$", re.IGNORECASE),
        city_prefix=city_prefix(),
        # any case: "Huyện" opens sentences; the name is one to four capitalised words
        place=re.compile(
            rf"(?<!\w)((?i:{alt(w['place_kinds'], ' ')}))\.?\s+"
            r"((?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ-Ỹ][\w']*(?:\s+|-)?){1,4})",
        ),
        communes=frozenset(w["commune_kinds"]),
        kind_abbrevs=MappingProxyType(dict(w["kind_abbrevs"])),
    )
