"""Problem and Solution data for the allocation solver, and their JSON format.

A :class:`Problem` holds plain numpy arrays: needs, offers, compatible pairs ("arcs") with
a score and a capacity consumption, and allocations already agreed ("locked"). It is built
either from arrays (:meth:`Problem.from_arrays`, used by the web app's encoder) or from the
JSON problem format (:meth:`Problem.from_json`), and both routes go through the same
validation, which raises :class:`ProblemError` with a message naming the culprit.

JSON problem format::

    {"mode": "whole", "time_limit_s": 10, "min_share": 0.0,
     "needs":  [{"id": "N1", "amount": 120000, "must_cover": false}],
     "offers": [{"id": "O1", "capacity": 500000}],
     "arcs":   [{"need": "N1", "offer": "O1", "score": 12.5, "consumption": 120000}],
     "locked": [{"need": "N1", "offer": "O1", "amount": 120000}]}

Unknown keys are ignored so that exporters may add labels or comments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Literal

import msgspec
import numpy as np

MODES = ("whole", "split")


class ProblemError(ValueError):
    """Bad or infeasible input; the message names the culprit (an id or a JSON path)."""


# --- JSON schema, decoded by msgspec (fast: a million arcs in a fraction of a second) ---


class _NeedSpec(msgspec.Struct):
    id: str
    amount: float
    must_cover: bool = False


class _OfferSpec(msgspec.Struct):
    id: str
    capacity: float


class _ArcSpec(msgspec.Struct):
    need: str
    offer: str
    score: float
    consumption: float | None = None


class _LockSpec(msgspec.Struct):
    need: str
    offer: str
    amount: float | None = None


class _ProblemSpec(msgspec.Struct):
    needs: list[_NeedSpec]
    offers: list[_OfferSpec]
    arcs: list[_ArcSpec] = []
    locked: list[_LockSpec] = []
    mode: Literal["whole", "split"] = "whole"
    time_limit_s: float = 10.0
    min_share: float = 0.0


def _decode(data: dict | str | bytes) -> _ProblemSpec:
    try:
        if isinstance(data, str | bytes | bytearray | memoryview):
            return msgspec.json.decode(data, type=_ProblemSpec)
        if not isinstance(data, dict):
            raise ProblemError(f"problem must be a JSON object, got {type(data).__name__}")
        return msgspec.convert(data, _ProblemSpec)
    except msgspec.ValidationError as exc:
        raise ProblemError(_readable(str(exc))) from None
    except msgspec.DecodeError as exc:
        raise ProblemError(f"malformed JSON: {exc}") from None


def _readable(message: str) -> str:
    """Turn msgspec's "Expected `float`, got `str` - at `$.arcs[3].score`" around."""
    text, _, where = message.partition(" - at ")
    where = where.strip("`").removeprefix("$").removeprefix(".")
    text = text[:1].lower() + text[1:]
    return f"{where}: {text}" if where else text


def _index(ids: list[str], wanted: list[str], what: str, kind: str) -> np.ndarray:
    """Map each wanted id to its position in ids; unknown ids raise naming the first one."""
    position = {id_: i for i, id_ in enumerate(ids)}
    found = list(map(position.get, wanted))  # C-speed lookups; None marks an unknown id
    if None in found:
        first = found.index(None)
        raise ProblemError(f"{what} {first}: unknown {kind} {wanted[first]!r}")
    return np.array(found, dtype=np.int64)


# --- the problem ---


@dataclass
class Problem:
    """An allocation problem as arrays. Indices in arc_* and locked_* refer to positions
    in need_ids / offer_ids. Build with :meth:`from_arrays` or :meth:`from_json`."""

    need_ids: list[str]
    need_amount: np.ndarray  # float64, > 0
    need_must_cover: np.ndarray  # bool
    offer_ids: list[str]
    offer_capacity: np.ndarray  # float64, >= 0
    arc_need: np.ndarray  # int64 index into needs
    arc_offer: np.ndarray  # int64 index into offers
    arc_score: np.ndarray  # float64, worth of covering the whole need through this pair
    arc_consumption: np.ndarray  # float64, capacity used when covering the whole need
    locked_need: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    locked_offer: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    locked_amount: np.ndarray = field(default_factory=lambda: np.zeros(0))
    mode: str = "whole"
    time_limit_s: float = 10.0
    min_share: float = 0.0
    # The arc behind each lock, filled in by validation.
    locked_arc: np.ndarray = field(
        default_factory=lambda: np.zeros(0, np.int64), init=False, repr=False
    )

    @property
    def num_needs(self) -> int:
        return len(self.need_ids)

    @property
    def num_offers(self) -> int:
        return len(self.offer_ids)

    @property
    def num_arcs(self) -> int:
        return len(self.arc_need)

    @classmethod
    def from_arrays(
        cls,
        need_ids,
        need_amount,
        offer_ids,
        offer_capacity,
        arc_need,
        arc_offer,
        arc_score,
        arc_consumption=None,
        need_must_cover=None,
        locked_need=(),
        locked_offer=(),
        locked_amount=None,
        mode: str = "whole",
        time_limit_s: float = 10.0,
        min_share: float = 0.0,
    ) -> Problem:
        """Build and validate a problem from arrays (arc_need / arc_offer are indices).

        arc_consumption defaults to the need's amount; locked_amount defaults to the whole
        amount of each locked need.
        """
        need_amount = np.asarray(need_amount, dtype=np.float64)
        arc_need = np.asarray(arc_need, dtype=np.int64)
        locked_need = np.asarray(locked_need, dtype=np.int64)
        if arc_consumption is None:
            arc_consumption = np.full(len(arc_need), np.nan)
        if locked_amount is None:
            locked_amount = np.full(len(locked_need), np.nan)
        if need_must_cover is None:
            need_must_cover = np.zeros(len(need_amount), bool)
        problem = cls(
            need_ids=[str(i) for i in need_ids],
            need_amount=need_amount,
            need_must_cover=np.asarray(need_must_cover, dtype=bool),
            offer_ids=[str(i) for i in offer_ids],
            offer_capacity=np.asarray(offer_capacity, dtype=np.float64),
            arc_need=arc_need,
            arc_offer=np.asarray(arc_offer, dtype=np.int64),
            arc_score=np.asarray(arc_score, dtype=np.float64),
            arc_consumption=np.asarray(arc_consumption, dtype=np.float64),
            locked_need=locked_need,
            locked_offer=np.asarray(locked_offer, dtype=np.int64),
            locked_amount=np.asarray(locked_amount, dtype=np.float64),
            mode=mode,
            time_limit_s=float(time_limit_s),
            min_share=float(min_share),
        )
        problem._validate()
        return problem

    @classmethod
    def from_json(cls, data: dict | str | bytes) -> Problem:
        """Parse and validate the JSON problem format (a dict, or JSON text / bytes)."""
        spec = _decode(data)
        need_ids = [n.id for n in spec.needs]
        offer_ids = [o.id for o in spec.offers]
        arcs, locks = spec.arcs, spec.locked
        nan = math.nan
        consumption = list(map(attrgetter("consumption"), arcs))
        return cls.from_arrays(
            need_ids=need_ids,
            need_amount=[n.amount for n in spec.needs],
            need_must_cover=[n.must_cover for n in spec.needs],
            offer_ids=offer_ids,
            offer_capacity=[o.capacity for o in spec.offers],
            arc_need=_index(need_ids, list(map(attrgetter("need"), arcs)), "arc", "need"),
            arc_offer=_index(offer_ids, list(map(attrgetter("offer"), arcs)), "arc", "offer"),
            arc_score=np.array(list(map(attrgetter("score"), arcs)), dtype=np.float64),
            # None (no consumption given) becomes nan, which validation reads as "amount".
            arc_consumption=np.array(consumption, dtype=np.float64),
            locked_need=_index(need_ids, [lk.need for lk in locks], "locked", "need"),
            locked_offer=_index(offer_ids, [lk.offer for lk in locks], "locked", "offer"),
            locked_amount=[nan if lk.amount is None else lk.amount for lk in locks],
            mode=spec.mode,
            time_limit_s=spec.time_limit_s,
            min_share=spec.min_share,
        )

    def to_json(self) -> dict:
        """The problem in the JSON problem format (for export and replay)."""
        need_ids, offer_ids = self.need_ids, self.offer_ids
        return {
            "mode": self.mode,
            "time_limit_s": self.time_limit_s,
            "min_share": self.min_share,
            "needs": [
                {"id": i, "amount": _num(a), "must_cover": bool(m)}
                for i, a, m in zip(
                    need_ids, self.need_amount.tolist(), self.need_must_cover.tolist(), strict=True
                )
            ],
            "offers": [
                {"id": i, "capacity": _num(c)}
                for i, c in zip(offer_ids, self.offer_capacity.tolist(), strict=True)
            ],
            "arcs": [
                {"need": need_ids[n], "offer": offer_ids[o], "score": s, "consumption": _num(c)}
                for n, o, s, c in zip(
                    self.arc_need.tolist(),
                    self.arc_offer.tolist(),
                    self.arc_score.tolist(),
                    self.arc_consumption.tolist(),
                    strict=True,
                )
            ],
            "locked": [
                {"need": need_ids[n], "offer": offer_ids[o], "amount": _num(a)}
                for n, o, a in zip(
                    self.locked_need.tolist(),
                    self.locked_offer.tolist(),
                    self.locked_amount.tolist(),
                    strict=True,
                )
            ],
        }

    # --- validation: every message names the culprit ---

    def _validate(self) -> None:
        n_needs, n_offers, n_arcs = self.num_needs, self.num_offers, self.num_arcs
        if self.mode not in MODES:
            raise ProblemError(f"mode: must be 'whole' or 'split', got {self.mode!r}")
        if not (math.isfinite(self.time_limit_s) and self.time_limit_s > 0):
            raise ProblemError(f"time_limit_s: must be > 0, got {self.time_limit_s}")
        if not (0.0 <= self.min_share <= 1.0):
            raise ProblemError(f"min_share: must be between 0 and 1, got {self.min_share}")
        _same_length("need", n_needs, self.need_amount, self.need_must_cover)
        _same_length("offer", n_offers, self.offer_capacity)
        _same_length("arc", n_arcs, self.arc_offer, self.arc_score, self.arc_consumption)
        _same_length("locked", len(self.locked_need), self.locked_offer, self.locked_amount)
        _unique(self.need_ids, "need")
        _unique(self.offer_ids, "offer")

        bad = _first(~np.isfinite(self.need_amount) | (self.need_amount <= 0))
        if bad is not None:
            raise ProblemError(
                f"need {self.need_ids[bad]!r}: amount must be > 0, got {self.need_amount[bad]}"
            )
        bad = _first(~np.isfinite(self.offer_capacity) | (self.offer_capacity < 0))
        if bad is not None:
            raise ProblemError(
                f"offer {self.offer_ids[bad]!r}: capacity must be >= 0, "
                f"got {self.offer_capacity[bad]}"
            )
        for what, index, size, kind in (
            ("arc", self.arc_need, n_needs, "need"),
            ("arc", self.arc_offer, n_offers, "offer"),
            ("locked", self.locked_need, n_needs, "need"),
            ("locked", self.locked_offer, n_offers, "offer"),
        ):
            bad = _first((index < 0) | (index >= size))
            if bad is not None:
                raise ProblemError(f"{what} {bad}: unknown {kind} index {index[bad]}")
        bad = _first(~np.isfinite(self.arc_score))
        if bad is not None:
            raise ProblemError(f"arc {bad} ({self._pair(bad)}): score must be a finite number")
        # Consumption defaults to the need's amount (the common case: money for money).
        default = np.isnan(self.arc_consumption)
        self.arc_consumption = np.where(
            default, self.need_amount[self.arc_need], self.arc_consumption
        )
        bad = _first(~np.isfinite(self.arc_consumption) | (self.arc_consumption < 0))
        if bad is not None:
            raise ProblemError(
                f"arc {bad} ({self._pair(bad)}): consumption must be >= 0, "
                f"got {self.arc_consumption[bad]}"
            )
        pair_key = self.arc_need * max(n_offers, 1) + self.arc_offer
        _, first_seen, counts = np.unique(pair_key, return_index=True, return_counts=True)
        if (counts > 1).any():
            key = pair_key[first_seen[np.argmax(counts > 1)]]
            dup = np.flatnonzero(pair_key == key)
            raise ProblemError(f"arc {dup[1]} ({self._pair(dup[1])}): duplicate of arc {dup[0]}")
        self._validate_locks(pair_key)

    def _validate_locks(self, pair_key: np.ndarray) -> None:
        if len(self.locked_need) == 0:
            return
        n_offers = max(self.num_offers, 1)
        order = np.argsort(pair_key, kind="stable")
        lock_key = self.locked_need * n_offers + self.locked_offer
        pos = np.searchsorted(pair_key[order], lock_key)
        pos = np.minimum(pos, max(len(order) - 1, 0))
        has_arc = (pair_key[order][pos] == lock_key) if len(order) else np.zeros(len(pos), bool)
        bad = _first(~has_arc)
        if bad is not None:
            raise ProblemError(
                f"locked {bad}: need {self.need_ids[self.locked_need[bad]]!r} and offer "
                f"{self.offer_ids[self.locked_offer[bad]]!r} have no arc (incompatible pair)"
            )
        self.locked_arc = order[pos]
        whole_amount = self.need_amount[self.locked_need]
        amount = np.where(np.isnan(self.locked_amount), whole_amount, self.locked_amount)
        bad = _first(~np.isfinite(amount) | (amount <= 0))
        if bad is not None:
            raise ProblemError(f"locked {bad}: amount must be > 0, got {amount[bad]}")
        if self.mode == "whole":
            bad = _first(~np.isclose(amount, whole_amount, rtol=1e-9, atol=1e-9))
            if bad is not None:
                raise ProblemError(
                    f"locked {bad}: in whole mode a lock covers the whole need "
                    f"{self.need_ids[self.locked_need[bad]]!r} (amount {whole_amount[bad]:g}), "
                    f"got {amount[bad]:g}"
                )
            counts = np.bincount(self.locked_need, minlength=self.num_needs)
            bad = _first(counts > 1)
            if bad is not None:
                raise ProblemError(
                    f"need {self.need_ids[bad]!r}: locked to more than one offer in whole mode"
                )
        self.locked_amount = amount
        locked_per_need = np.bincount(self.locked_need, amount, minlength=self.num_needs)
        bad = _first(locked_per_need > self.need_amount * (1 + 1e-9))
        if bad is not None:
            raise ProblemError(
                f"need {self.need_ids[bad]!r}: locked amounts {locked_per_need[bad]:g} exceed "
                f"its amount {self.need_amount[bad]:g}"
            )
        used = np.bincount(self.locked_offer, self.locked_consumption(), minlength=self.num_offers)
        bad = _first(used > self.offer_capacity * (1 + 1e-9) + 1e-9)
        if bad is not None:
            raise ProblemError(
                f"offer {self.offer_ids[bad]!r}: locked allocations use {used[bad]:g}, "
                f"more than its capacity {self.offer_capacity[bad]:g}"
            )

    def _pair(self, arc: int) -> str:
        return f"{self.need_ids[self.arc_need[arc]]} -> {self.offer_ids[self.arc_offer[arc]]}"

    # --- derived quantities the formulations share ---

    def locked_consumption(self) -> np.ndarray:
        """Capacity used by each lock: its share of the need times the arc's consumption."""
        if len(self.locked_need) == 0:
            return np.zeros(0)
        share = self.locked_amount / self.need_amount[self.locked_need]
        return share * self.arc_consumption[self.locked_arc]

    def locked_score(self) -> np.ndarray:
        """Score earned by each lock: its share of the need times the arc's score."""
        if len(self.locked_need) == 0:
            return np.zeros(0)
        share = self.locked_amount / self.need_amount[self.locked_need]
        return share * self.arc_score[self.locked_arc]

    def remaining_amount(self) -> np.ndarray:
        """Each need's amount less what locks already cover."""
        locked = np.bincount(self.locked_need, self.locked_amount, minlength=self.num_needs)
        return np.maximum(self.need_amount - locked, 0.0)

    def remaining_capacity(self) -> np.ndarray:
        """Each offer's capacity less what locks already use."""
        used = np.bincount(self.locked_offer, self.locked_consumption(), minlength=self.num_offers)
        return np.maximum(self.offer_capacity - used, 0.0)


def _same_length(what: str, size: int, *arrays: np.ndarray) -> None:
    for array in arrays:
        if array.ndim != 1 or len(array) != size:
            raise ProblemError(f"{what} arrays must all have length {size}, got {array.shape}")


def _unique(ids: list[str], kind: str) -> None:
    seen: set[str] = set()
    for id_ in ids:
        if id_ in seen:
            raise ProblemError(f"{kind} {id_!r}: duplicate id")
        seen.add(id_)


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def _num(value: float) -> float | int:
    """Whole numbers print without a trailing .0 (amounts are usually whole currency)."""
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


# --- the result ---


@dataclass
class Allocation:
    """Amount of a need covered by an offer, and the score that earns."""

    need: str
    offer: str
    amount: float
    score: float


@dataclass
class Unmet:
    """A need not fully covered: a machine reason code, the shortfall and a sentence."""

    need: str
    reason: str  # no_compatible_offer | not_worthwhile | too_large | outbid | partly_covered
    shortfall: float
    detail: str = ""


@dataclass
class ShadowPrice:
    """What one more unit of an offer's capacity would add to the objective (LP dual)."""

    offer: str
    value: float


@dataclass
class Solution:
    """The result of a solve. gap = (bound - objective) / max(1, |objective|)."""

    status: str  # optimal | feasible | infeasible
    objective: float
    bound: float
    gap: float
    seconds: float
    allocations: list[Allocation] = field(default_factory=list)
    unmet: list[Unmet] = field(default_factory=list)
    shadow_prices: list[ShadowPrice] = field(default_factory=list)
    method: str = ""
    message: str = ""

    def to_json(self) -> dict:
        """The result format: plain JSON-ready dict."""
        result = {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "seconds": round(self.seconds, 4),
            "allocations": [
                {"need": a.need, "offer": a.offer, "amount": _num(a.amount), "score": a.score}
                for a in self.allocations
            ],
            "unmet": [
                {
                    "need": u.need,
                    "reason": u.reason,
                    "shortfall": _num(u.shortfall),
                    "detail": u.detail,
                }
                for u in self.unmet
            ],
            "shadow_prices": [{"offer": s.offer, "value": s.value} for s in self.shadow_prices],
            "method": self.method,
        }
        if self.message:
            result["message"] = self.message
        return result


def relative_gap(objective: float, bound: float) -> float:
    """Gap between objective and bound relative to the objective (0 when proven optimal)."""
    return max(0.0, bound - objective) / max(1.0, abs(objective))
