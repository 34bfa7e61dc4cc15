"""Vietnamese provinces: names, aliases, the 2025 merger, and reading an article's province.

The catalogue is data (`data/provinces.json`) so a missing alias or newspaper mark is a one-line
fix, not a code change. Detection prefers evidence that names the province (a portal
header, a newspaper mark, "UBND tỉnh X", the site's domain or outlet); then a district or
commune that exists in one province only (`places`); last a province spelled in the URL path.
An official's name is never used, and a place name shared by several provinces decides nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Mapping
from urllib.parse import urlsplit

from tongket.store.lang.datafiles import data_json
from tongket.store.lang.province_cues import city_prefix, cues
from tongket.store.lang.text import fold, nfc, tone_norm

def _key(name: str) -> str:
    """Lookup key: folded, punctuation-free words ("TP. Hồ Chí Minh" -> "tp ho chi minh")."""
    return " ".join(re.findall(r"[0-9a-z]+", fold(name)))


@dataclass(frozen=True, slots=True)
class Province:
    name: str
    aliases: tuple[str, ...]
    slugs: tuple[str, ...]
    marks: tuple[str, ...]
    merged_2025: str


@dataclass(frozen=True, slots=True)
class ProvinceCatalogue:
    """Read-only catalogue; build it with `load_provinces()` (cached)."""

    provinces: tuple[Province, ...]
    units_2025: tuple[str, ...]
    _by_key: Mapping[str, str]
    _by_name: Mapping[str, Province]
    _by_slug: Mapping[str, str]
    _by_mark: Mapping[str, str]
    _alias_to_name: Mapping[str, str]  # tone-normalised, lower-case alias -> official name
    _prefixes: tuple[str, ...]
    _suffixes: tuple[str, ...]
    _by_text: Mapping[str, str]  # "quảng nam", "thừa thiên huế" (lower, tone-normalised) -> name
    _max_words: int
    _max_chars: int
    _bare_pattern: str  # compiled on first detection (`_bare_re`): a name check never needs it
    _mark_pattern: str | None

    @property
    def _bare_re(self) -> re.Pattern[str]:
        return _compiled(self._bare_pattern, re.IGNORECASE)

    @property
    def _mark_re(self) -> re.Pattern[str] | None:
        return _compiled(self._mark_pattern, 0) if self._mark_pattern is not None else None

    # ---- names ---------------------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        """The 63 official names (before the 2025 merger)."""
        return tuple(p.name for p in self.provinces)

    def canonical(self, name: str) -> str | None:
        """Official name for any alias, in any case, with or without diacritics; None if unknown."""
        if not isinstance(name, str):
            return None
        key = _key(tone_norm(name))
        if not key:
            return None
        hit = self._by_key.get(key) or self._by_key.get(key.replace(" ", ""))
        if hit:
            return hit
        for lead in ("tinh ", "thanh pho ", "tp ", "tp. "):
            if key.startswith(lead):
                rest = key[len(lead):]
                hit = self._by_key.get(rest) or self._by_key.get(rest.replace(" ", ""))
                if hit:
                    return hit
        return None

    def merged_unit(self, name: str) -> str:
        """The province's unit after the 1 July 2025 merger (unchanged provinces map to
        themselves). Raises KeyError for a name that is not a province."""
        official = self.canonical(name)
        if official is None:
            raise KeyError(f"not a province: {name!r}")
        return self._by_name[official].merged_2025

    def get(self, name: str) -> Province | None:
        official = self.canonical(name)
        return self._by_name[official] if official else None

    # ---- detection -----------------------------------------------------------------------
    def from_url(self, url: str | None) -> str | None:
        """Province carried by a site's host name (langson.gov.vn, baothainguyen.vn, ...)."""
        if not url or not isinstance(url, str):
            return None
        try:
            host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
        except ValueError:
            return None
        from tongket.store.lang.places import load_outlets  # only detection reads the outlets

        outlets = load_outlets()
        for known, prov in outlets.provincial.items():
            if host == known or host.endswith("." + known):
                return prov
        if any(host == n or host.endswith("." + n) for n in outlets.national):
            return None  # a national outlet names no province, whatever its host looks like
        for label in host.split("."):
            if label in ("www", "m", "gov", "vn", "org", "com", "net", "edu", "info"):
                continue
            hit = self._slug_match(label)
            if hit:
                return hit
        return None

    def _slug_match(self, label: str) -> str | None:
        if label in self._by_slug:
            return self._by_slug[label]
        cores = {label}
        for pre in self._prefixes:
            if label.startswith(pre):
                cores.add(label[len(pre):])
        for core in list(cores):
            for suf in self._suffixes:
                if core.endswith(suf):
                    cores.add(core[: -len(suf)])
        for core in cores:
            if core in self._by_slug:
                return self._by_slug[core]
        # "sxdthanhhoa", "tnmttuyenquang", "hanoimoi": an office or paper prefix/suffix that the
        # lists do not know; the longest slug wins so "quangnam" never reads as "nam…"
        fits = [s for s in self._by_slug if len(s) >= 5 and (label.endswith(s) or label.startswith(s))]
        return self._by_slug[max(fits, key=len)] if fits else None

    def from_url_path(self, url: str | None) -> tuple[str, str] | None:
        """(province, slug) when the URL path spells a province ("/ha-tinh-tiep-nhan-…",
        "/Nam-Dinh-phat-hien-…"): weaker than the text, which may name it only in passing."""
        if not url or not isinstance(url, str):
            return None
        try:
            path = urlsplit(url).path
        except ValueError:
            return None
        for segment in path.split("/"):
            words = [w for w in re.split(r"[^0-9a-z]+", fold(segment)) if w]
            for i in range(len(words)):
                for n in (3, 2):
                    joined = "".join(words[i:i + n])
                    if len(words[i:i + n]) == n and joined in self._by_slug:
                        return self._by_slug[joined], "-".join(words[i:i + n])
        return None

    def from_places(self, text: str) -> tuple[str, str] | None:
        """(province, evidence) from districts and communes the text names (see `places`)."""
        from tongket.store.lang.places import places_province  # the gazetteer: only detection

        return places_province(text, self.canonical)

    def _name_of(self, alias: str) -> str:
        return self._alias_to_name.get(alias.lower()) or self.canonical(alias) or alias

    def detect(self, text_head: str, body: str, url: str | None) -> tuple[str | None, str | None]:
        """(province, evidence) or (None, None).

        `text_head` is what precedes the article proper (portal header, title, published line,
        tag lines); `body` the article text. Evidence is tried strongest first, so a province
        named in passing never beats the portal header or the site's own newspaper mark.
        """
        return self._detect(text_head or "", body or "", url)

    def _detect(self, text_head: str, body: str, url: str | None) -> tuple[str | None, str | None]:
        head_lines = [ln.strip() for ln in text_head.split("\n") if ln.strip()]
        body_paras = [p.strip() for p in body.split("\n") if p.strip()]

        # 1. portal header: "Cổng thông tin điện tử văn phòng UBND tỉnh Kiên Giang"
        for line in head_lines[:8] + body_paras[:1]:
            if cues().portal.match(line):
                m = self._bare_re.search(tone_norm(line))
                if m:
                    return self._name_of(m.group(1)), f"portal header '{_short(line)}'"

        # 2. newspaper mark opening a paragraph: "(BGĐT) -", "LSO-"
        if self._mark_re is not None:
            for para in head_lines + body_paras[:4]:
                m = self._mark_re.match(para)
                if m:
                    mark = m.group(1)
                    return self._by_mark[mark], f"newspaper mark '{m.group(0).strip()}'"

        # one scan per zone: every "tỉnh X" / "UBND tỉnh X" / "Báo X" with its strength
        head_hits = self._hits(text_head)
        body_hits = self._hits(body)
        lead_end = _para_end(body, 2)
        lead_hits = [h for h in body_hits if h[0] < lead_end]
        # 3. an office of the province named in the header/title/tag lines, then the lead
        # 4. "tỉnh X" in the header, title or lead
        # 5. an office of the province named anywhere in the text
        many = len({self._name_of(m.group(1)) for m in self._bare_re.finditer(tone_norm(body))}) >= _MANY_NAMED
        for strong_only, hits in ((True, head_hits), (True, lead_hits), (False, head_hits),
                                  (False, lead_hits), (True, body_hits)):
            if many and not strong_only:
                continue  # "tỉnh X" among many provinces named is a comparison
            hit = _best([h for h in hits if h[3] or not strong_only])
            if hit:
                return hit
        # 6. the site's domain
        prov = self.from_url(url)
        if prov and url:  # from_url parsed this host already
            host = urlsplit(url if "//" in url else "//" + url).hostname or url
            return prov, f"source URL domain {host}"
        # 7. "tỉnh X" in the body, only when a single province is named that way
        found: dict[str, str] = {}
        for _, name, phrase, strong in body_hits:
            found.setdefault(name, phrase)
        if len(found) == 1 and not many:
            (name, phrase), = found.items()
            return name, f"text '{_short(phrase)}'"
        # 8. districts, towns and communes the header, title and lead name, then the text
        lead = "\n".join(head_lines + body_paras[:3])
        hit = self.from_places(lead) or self.from_places(body)
        if hit:
            return hit[0], f"place {hit[1]}"
        # 9. a province spelled in the URL path
        slug = self.from_url_path(url)
        if slug:
            return slug[0], f"URL path slug '{slug[1]}'"
        return None, None

    def _hits(self, text: str) -> list[tuple[int, str, str, bool]]:
        """(position, province, phrase, strong) for each province named after an
        administrative word; strong when an office ("UBND tỉnh X") or "Tỉnh ủy X"/"Báo X".
        The trigger words are rare, so the text is scanned once with a short pattern and
        the words after each trigger are looked up in a dict, not matched against 63 names."""
        out = []
        c = cues()
        for m in c.trigger.finditer(text):
            found = self._name_at(text, m.end())
            if found is None:
                continue
            name, end = found
            start, strong = m.start(), m.group(1) is not None
            if c.former.match(text, end) or c.visit.search(text[max(0, start - 40):start]):
                continue  # "Hà Nam cũ" (a former unit), "làm việc tại tỉnh X" (a place visited)
            if not strong:
                before = c.office_end.search(tone_norm(text[max(0, start - 45):start]))
                if before:
                    start, strong = start - (len(before.string) - before.start()), True
            out.append((start, name, text[start:end], strong))
        return out

    def _name_at(self, text: str, pos: int) -> tuple[str, int] | None:
        """The province whose name starts at `pos` (longest alias first) and where it ends."""
        window = text[pos: pos + self._max_chars]
        words: list[tuple[int, int]] = []
        for w in _WORD.finditer(window):
            if words and _JOIN.fullmatch(window, words[-1][1], w.start()) is None:
                break
            words.append((w.start(), w.end()))
            if len(words) == self._max_words:
                break
        if not words:
            return None
        norm = tone_norm(window).lower()
        for n in range(len(words), 0, -1):
            key = " ".join(norm[a:b] for a, b in words[:n])
            name = self._by_text.get(key)
            if name:
                return name, pos + words[n - 1][1]
        return None


# A text naming this many provinces compares them: one after "tỉnh"/"TP" is not thereby its own.
_MANY_NAMED = 4
_WORD = re.compile(r"\w+")
_JOIN = re.compile(r"\s*[-–]?\s*")


def _para_end(text: str, n: int) -> int:
    """Offset just past the n-th non-empty line of `text`."""
    pos, seen = 0, 0
    for line in text.split("\n"):
        pos += len(line) + 1
        if line.strip():
            seen += 1
            if seen == n:
                return pos
    return len(text)


def _best(hits: list[tuple[int, str, str, bool]]) -> tuple[str, str] | None:
    """The most named province (ties: the first named), with its first phrase."""
    counts: dict[str, list] = {}
    for pos, name, phrase, _ in hits:
        entry = counts.setdefault(name, [0, pos, phrase])
        entry[0] += 1
    if not counts:
        return None
    name, (_, _, phrase) = max(counts.items(), key=lambda kv: (kv[1][0], -kv[1][1]))
    return name, f"text '{_short(phrase)}'"


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@cache
def _compiled(pattern: str, flags: int) -> re.Pattern[str]:
    """The catalogue's two big alternations, compiled once per process when first used
    (~5 ms that `tongket list --province` paid only to check a name)."""
    return re.compile(pattern, flags)


@cache
def load_provinces() -> ProvinceCatalogue:
    """The catalogue from `data/provinces.json`, built once per process."""
    raw = data_json("provinces.json")
    provinces: list[Province] = []
    by_key: dict[str, str] = {}
    by_slug: dict[str, str] = {}
    by_mark: dict[str, str] = {}
    alias_to_name: dict[str, str] = {}
    text_aliases: set[str] = set()
    city_abbrevs: dict[str, str] = {}  # "HCM" of "TP.HCM": unambiguous only after "TP."
    for item in raw["provinces"]:
        name = nfc(item["name"])
        aliases = tuple(nfc(a) for a in item.get("aliases", ()))
        prov = Province(
            name=name,
            aliases=aliases,
            slugs=tuple(item.get("slugs", ())),
            marks=tuple(item.get("marks", ())),
            merged_2025=nfc(item["merged_2025"]),
        )
        provinces.append(prov)
        for form in (name, *aliases, *prov.slugs):
            k = _key(tone_norm(form))
            by_key.setdefault(k, name)
            by_key.setdefault(k.replace(" ", ""), name)
        for slug in prov.slugs:
            by_slug[slug.lower()] = name
        for mark in prov.marks:
            by_mark[nfc(mark)] = name
        for form in (name, *aliases):
            form = tone_norm(form)
            # only real names go into text patterns: abbreviations (HN, BRVT) are too ambiguous
            if any(ord(c) > 127 for c in form) or " " in form:
                if not form.upper() == form:
                    text_aliases.add(form)
                    alias_to_name[form.lower()] = name
            if (abbrev := re.fullmatch(r"TP\.?\s*([A-Z]{2,})", form)) is not None:
                city_abbrevs[abbrev.group(1).lower()] = name
    # the 2025 unit names are aliases of the province that keeps the name (e.g. "Huế")
    for unit in raw["units_2025"]:
        by_key.setdefault(_key(tone_norm(unit)), nfc(unit))

    # "TP. Hồ Chí Minh" is matched through its bare name after "TP."/"thành phố"
    bare = sorted({city_prefix().sub("", a) for a in text_aliases}, key=len, reverse=True)
    for a in bare:
        alias_to_name.setdefault(a.lower(), alias_to_name.get(a.lower()) or name_for(a, by_key))
    names_alt = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in bare)
    names_grp = rf"({names_alt})(?![\w])"
    by_text: dict[str, str] = {}
    for a in bare:
        key = " ".join(_WORD.findall(a.lower()))
        by_text.setdefault(key, alias_to_name.get(a.lower()) or name_for(a, by_key))
    for short, short_name in city_abbrevs.items():
        by_text.setdefault(short, short_name)
    marks = sorted(by_mark, key=len, reverse=True)
    return ProvinceCatalogue(
        provinces=tuple(provinces),
        units_2025=tuple(nfc(u) for u in raw["units_2025"]),
        _by_key=MappingProxyType(by_key),
        _by_name=MappingProxyType({p.name: p for p in provinces}),
        _by_slug=MappingProxyType(by_slug),
        _by_mark=MappingProxyType(by_mark),
        _alias_to_name=MappingProxyType(alias_to_name),
        _prefixes=tuple(raw.get("domain_prefixes", ())),
        _suffixes=tuple(raw.get("domain_suffixes", ())),
        _by_text=MappingProxyType(by_text),
        _max_words=max(len(k.split()) for k in by_text),
        _max_chars=max(len(a) for a in bare) + 8,
        _bare_pattern=rf"(?<![\w]){names_grp}",
        _mark_pattern=rf"\(?({'|'.join(re.escape(m) for m in marks)})\)?\s*[-–—:]" if marks else None,
    )


def name_for(alias: str, by_key: Mapping[str, str]) -> str:
    k = _key(tone_norm(alias))
    return by_key.get(k) or by_key.get(k.replace(" ", "")) or alias
