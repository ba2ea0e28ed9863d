"""One read per vehicle, not per frame: the readings of one track are clustered by Jaro-Winkler
similarity (as Frigate does), the largest cluster wins, and its readings of the usual length are voted
position by position with their per-character confidences, so that the final text can be better than any
single frame's. Then the formats decide what a position may hold (an O where a digit must be is a 0,
unless another frame read a digit there)."""

from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz.distance import JaroWinkler

from cameras.plates.formats import PlateFormat, best_fit, normalise

SAME_PLATE = 0.85  # Jaro-Winkler similarity of two readings of the same plate


@dataclass(frozen=True)
class Reading:
    """What one frame read: the text as OCR gave it and a confidence per character (0..1)."""

    text: str
    confidences: tuple[float, ...]
    frame: int = 0  # which of the track's frames (for the evidence of the frame the text came from)

    @classmethod
    def of(cls, raw: str, confidence: float | list[float] | tuple[float, ...], frame: int = 0) -> "Reading":
        text = normalise(raw)
        if isinstance(confidence, int | float):
            per_char: tuple[float, ...] = (float(confidence),) * len(text)
        else:
            per_char = tuple(float(c) for c in confidence)
            if len(per_char) != len(text):  # OCR's per-character scores may not survive normalisation
                mean = sum(per_char) / len(per_char) if per_char else 0.0
                per_char = (mean,) * len(text)
        return cls(text=text, confidences=per_char, frame=frame)

    @property
    def confidence(self) -> float:
        return sum(self.confidences) / len(self.confidences) if self.confidences else 0.0


@dataclass(frozen=True)
class Voted:
    text: str  # fitted to its format when it fits one
    confidences: tuple[float, ...]  # per character: its votes' share of all votes at that position
    format: PlateFormat | None
    corrections: int
    raw_texts: tuple[str, ...]  # every reading of the track, as read
    best_frame: int  # the frame whose reading agrees most with the final text (its evidence is kept)
    readings: int = field(default=0)  # how many readings the final text stands on

    @property
    def confidence(self) -> float:
        return min(self.confidences) if self.confidences else 0.0  # a plate is as sure as its weakest character

    @property
    def country(self) -> str:
        return self.format.country if self.format else ""

    @property
    def region(self) -> str:
        if self.format is None:
            return ""
        start, end = self.format.region
        return self.text[start:end]


def vote(readings: list[Reading]) -> Voted | None:
    """The one read of a track's readings, or None when none has any text."""
    readings = [reading for reading in readings if reading.text]
    if not readings:
        return None
    cluster = _largest_cluster(readings)
    lengths: dict[int, float] = defaultdict(float)
    for reading in cluster:
        lengths[len(reading.text)] += reading.confidence
    length = max(lengths, key=lambda size: (lengths[size], size))
    voters = [reading for reading in cluster if len(reading.text) == length]
    candidates: list[dict[str, float]] = [defaultdict(float) for _ in range(length)]
    for reading in voters:
        for index, (char, confidence) in enumerate(zip(reading.text, reading.confidences, strict=True)):
            candidates[index][char] += max(confidence, 1e-3)
    text = "".join(max(seen, key=lambda c: seen[c]) for seen in candidates)
    fitted = best_fit(text, candidates=[dict(seen) for seen in candidates])
    final = fitted.text if fitted else text
    shares = tuple(candidates[i].get(char, 0.0) / sum(candidates[i].values()) for i, char in enumerate(final))
    # A corrected look-alike (an O read where a 0 must be) is as sure as the votes for what was read there.
    shares = tuple(
        share if share > 0 else max(candidates[i].values()) / sum(candidates[i].values())
        for i, share in enumerate(shares)
    )
    best = max(
        voters, key=lambda reading: (sum(a == b for a, b in zip(reading.text, final, strict=True)), reading.confidence)
    )
    return Voted(
        text=final,
        confidences=tuple(
            round(share * _mean_confidence(candidates[i], voters, i), 4) for i, share in enumerate(shares)
        ),
        format=fitted.format if fitted else None,
        corrections=fitted.corrections if fitted else 0,
        raw_texts=tuple(reading.text for reading in readings),
        best_frame=best.frame,
        readings=len(voters),
    )


def _mean_confidence(seen: dict[str, float], voters: list[Reading], index: int) -> float:
    """How sure the frames were at this position, on average (a unanimous vote of unsure frames is unsure)."""
    return sum(seen.values()) / len(voters)


def _largest_cluster(readings: list[Reading]) -> list[Reading]:
    """Greedy clusters around the surest readings; the cluster with the most confidence wins (a passing
    van's lettering read in two frames does not outvote the plate read in ten)."""
    remaining = sorted(readings, key=lambda reading: -reading.confidence)
    clusters: list[list[Reading]] = []
    while remaining:
        seed = remaining.pop(0)
        cluster = [seed] + [r for r in remaining if JaroWinkler.normalized_similarity(seed.text, r.text) >= SAME_PLATE]
        remaining = [r for r in remaining if r not in cluster]
        clusters.append(cluster)
    return max(clusters, key=lambda cluster: sum(reading.confidence for reading in cluster))
