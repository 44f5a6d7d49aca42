"""Matching text to codes: the pure part of the normaliser (no database).

A value is first compared exactly (after folding case, accents, punctuation and
spacing) with every known name, code and synonym; failing that, it is scored
with rapidfuzz against all of them. A match above the acceptance threshold,
clear of the runner-up, gives a code with its confidence; otherwise the caller
gets no code and a ranked list of suggestions to show the user.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

# A fuzzy score (0-100) at or above this is accepted when the runner-up code is
# at least MARGIN behind; below it, the value is returned unresolved with suggestions.
ACCEPT_SCORE = 85.0
MARGIN = 8.0
MIN_FUZZY_LENGTH = 4

_PUNCTUATION = re.compile(r"[\s\-_.,;:/()\[\]{}\"“”«»]+")
_APOSTROPHES = re.compile(r"['’`´]")


def fold(text: str) -> str:
    """Case-, accent-, punctuation- and width-insensitive form of a name."""
    text = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text)
    text = _PUNCTUATION.sub(" ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Suggestion:
    code: str
    label: str
    score: float  # 0..1


@dataclass(frozen=True)
class Match:
    """The result of normalising one text: a code (or None) with a confidence."""

    text: str
    code: str | None
    confidence: float
    label: str = ""
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def resolved(self) -> bool:
        return self.code is not None


class Normaliser:
    """Maps free text to codes for one kind of reference entity."""

    def __init__(
        self,
        kind: str,
        entries: Iterable[tuple[str, str]],
        labels: dict[str, str],
        exact_only: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.kind = kind
        self.labels = labels
        exact: dict[str, set[str]] = {}
        for code, text in entries:
            key = fold(text)
            if key:
                exact.setdefault(key, set()).add(code)
        # Codes (ISO alpha-2/3, M49) match only exactly: "in" or "us" must not
        # fuzzy-match anything.
        self._codes: dict[str, set[str]] = {}
        for code, text in exact_only:
            self._codes.setdefault(fold(text), set()).add(code)
        self._exact = exact
        # Very short names ("u", "g") only ever match exactly: "unknown" is not "u".
        self._choices = [key for key in exact if len(key) >= MIN_FUZZY_LENGTH]

    def match(self, text: object) -> Match:
        raw = "" if text is None else str(text)
        key = fold(raw)
        if not key:
            return Match(text=raw, code=None, confidence=0.0)
        for table in (self._exact, self._codes):
            codes = table.get(key)
            if codes and len(codes) == 1:
                code = next(iter(codes))
                return Match(text=raw, code=code, confidence=1.0, label=self.labels.get(code, code))
            if codes:  # the same text names two things: never guess
                return Match(
                    text=raw,
                    code=None,
                    confidence=0.0,
                    suggestions=tuple(
                        Suggestion(c, self.labels.get(c, c), 1.0) for c in sorted(codes)
                    ),
                )
        suggestions = self.suggest(key)
        if (
            len(key) >= MIN_FUZZY_LENGTH
            and suggestions
            and suggestions[0].score * 100 >= ACCEPT_SCORE
            and (
                len(suggestions) == 1
                or (suggestions[0].score - suggestions[1].score) * 100 >= MARGIN
            )
        ):
            best = suggestions[0]
            return Match(
                text=raw,
                code=best.code,
                confidence=round(best.score, 3),
                label=best.label,
                suggestions=suggestions,
            )
        return Match(text=raw, code=None, confidence=0.0, suggestions=suggestions)

    def suggest(self, key: str, limit: int = 5) -> tuple[Suggestion, ...]:
        best: dict[str, float] = {}
        for choice, score, _index in process.extract(
            key, self._choices, scorer=fuzz.WRatio, limit=limit * 4
        ):
            for code in self._exact[choice]:
                best[code] = max(best.get(code, 0.0), float(score))
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return tuple(
            Suggestion(code, self.labels.get(code, code), round(score / 100, 3))
            for code, score in ranked
        )

    def match_many(self, texts: Iterable[object]) -> dict[str, Match]:
        """Normalise each distinct text once (imports call this per column)."""
        return {str(t): self.match(t) for t in {"" if t is None else str(t) for t in texts}}
