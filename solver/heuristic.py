"""A fast starting assignment for whole mode, handed to CP-SAT as a hint.

Generalised assignment with tight capacity (every need must be covered) is hard to satisfy
by luck: on a few thousand needs CP-SAT may spend its whole time limit without a feasible
assignment. Martello & Toth's regret greedy finds one quickly: repeatedly place the need
that would lose most if its best offer filled up (best minus second-best desirability),
then a repair step ejects needs to make room for any must-cover need left over, and a
shift local search moves needs to better offers with room.

Arcs are plain arrays (need, offer, score, integer use); offers have integer room.
"""

from __future__ import annotations

import numpy as np


def regret_greedy(
    n_needs: int,
    need: np.ndarray,
    offer: np.ndarray,
    desirability: np.ndarray,
    use: np.ndarray,
    room: np.ndarray,
    must: np.ndarray,
) -> np.ndarray:
    """Arc chosen for each need (-1 for none), placing must-cover needs first by regret."""
    left = room.astype(np.int64).copy()
    # Each need's arcs, most desirable first; pointers skip arcs that no longer fit.
    by_need = np.lexsort((-desirability, need))
    starts = np.searchsorted(need[by_need], np.arange(n_needs + 1))
    # Each offer's arcs, largest use first, so filling an offer retires a prefix of them.
    by_offer = np.lexsort((-use, offer))
    offer_ptr = np.searchsorted(offer[by_offer], np.arange(room.shape[0] + 1))
    offer_end = offer_ptr[1:].copy()
    offer_ptr = offer_ptr[:-1].copy()
    fits = use <= left[offer]

    def best_two(n: int) -> tuple[int, int]:
        found = []
        for arc in by_need[starts[n] : starts[n + 1]].tolist():
            if fits[arc]:
                found.append(arc)
                if len(found) == 2:
                    break
        return (found + [-1, -1])[0], (found + [-1, -1])[1]

    first = np.full(n_needs, -1)
    second = np.full(n_needs, -1)
    for n in range(n_needs):
        first[n], second[n] = best_two(n)
    chosen = np.full(n_needs, -1)
    open_ = np.ones(n_needs, bool)

    def regret(n: int) -> float:
        if first[n] < 0:
            return -np.inf
        if second[n] < 0:
            return np.inf
        return float(desirability[first[n]] - desirability[second[n]])

    regrets = np.array([regret(n) for n in range(n_needs)])
    # Must-cover needs always go before optional ones.
    urgency = np.where(must, 1, 0)
    while open_.any():
        key = np.where(open_, regrets, -np.inf)
        candidates = np.flatnonzero(open_ & (urgency == urgency[open_].max()))
        n = int(candidates[np.argmax(key[candidates])])
        open_[n] = False
        arc = first[n]
        if arc < 0:
            continue  # nothing fits; repair may still find room
        chosen[n] = arc
        o = offer[arc]
        left[o] -= use[arc]
        touched = []
        while offer_ptr[o] < offer_end[o] and use[by_offer[offer_ptr[o]]] > left[o]:
            gone = by_offer[offer_ptr[o]]
            if fits[gone]:
                fits[gone] = False
                touched.append(need[gone])
            offer_ptr[o] += 1
        for m in set(touched):
            if open_[m] and (not fits[max(first[m], 0)] or not fits[max(second[m], 0)]):
                first[m], second[m] = best_two(m)
                regrets[m] = regret(m)
    return chosen


def repair(
    chosen: np.ndarray,
    need: np.ndarray,
    offer: np.ndarray,
    score: np.ndarray,
    use: np.ndarray,
    room: np.ndarray,
    must: np.ndarray,
    max_moves: int = 5_000,
) -> np.ndarray:
    """Make an over-full assignment fit: move needs off over-full offers at the least loss
    of score per unit of capacity freed, then place must-cover needs left without an offer.
    Needs that cannot be moved anywhere are dropped (optional ones first)."""
    chosen = chosen.copy()
    n_offers = len(room)
    for _ in range(max_moves):
        placed = chosen >= 0
        load = np.bincount(offer[chosen[placed]], use[chosen[placed]], minlength=n_offers)
        left = room - load
        current = np.where(placed, chosen, 0)
        # Moves of a placed need on an over-full offer to another offer with room, and
        # placements of an unplaced must-cover need into room.
        on_full = placed[need] & (left[offer[current[need]]] < 0)
        homeless = ~placed[need] & must[need]
        movable = (on_full | homeless) & (offer != offer[current[need]]) | homeless
        movable &= use <= left[offer]
        if not (left < 0).any() and not (must & ~placed).any():
            break
        if not movable.any():
            # Nothing fits: drop the cheapest optional need from the fullest offer.
            worst = int(np.argmin(left))
            if left[worst] >= 0:
                break
            members = np.flatnonzero(placed & (offer[current] == worst))
            optional = members[~must[members]]
            pool = optional if optional.size else members
            victim = pool[np.argmin(score[chosen[pool]] / np.maximum(use[chosen[pool]], 1))]
            chosen[victim] = -1
            continue
        loss = np.where(homeless, -np.inf, score[current[need]] - score)
        freed = np.maximum(use[current[need]], 1)
        arcs = np.flatnonzero(movable)
        best = arcs[np.argmin(loss[arcs] / freed[arcs])]
        chosen[need[best]] = best
    return chosen


def shift_search(
    chosen: np.ndarray,
    need: np.ndarray,
    offer: np.ndarray,
    score: np.ndarray,
    use: np.ndarray,
    room: np.ndarray,
    must: np.ndarray,
    passes: int = 20,
) -> np.ndarray:
    """Move needs to better-scoring offers with room (or place optional ones) until stuck."""
    chosen = chosen.copy()
    placed = chosen >= 0
    left = room.astype(np.int64) - np.bincount(
        offer[chosen[placed]], use[chosen[placed]], minlength=len(room)
    ).astype(np.int64)
    for _ in range(passes):
        current = np.where(chosen >= 0, score[np.maximum(chosen, 0)], 0.0)
        gain = score - current[need]
        # An optional need may also be dropped, never a must-cover one; moving is what counts.
        candidates = np.flatnonzero((gain > 1e-12) & (use <= left[offer]))
        if candidates.size == 0:
            break
        improved = False
        for arc in candidates[np.argsort(-gain[candidates])].tolist():
            n, o = need[arc], offer[arc]
            old = chosen[n]
            if old == arc or use[arc] > left[o] + (use[old] if old >= 0 and offer[old] == o else 0):
                continue
            if old >= 0 and score[arc] <= score[old]:
                continue
            if old >= 0:
                left[offer[old]] += use[old]
            left[o] -= use[arc]
            chosen[n] = arc
            improved = True
        if not improved:
            break
    return chosen


def _arcs_by_need(need: np.ndarray, n_needs: int) -> list[list[int]]:
    order = np.argsort(need, kind="stable")
    starts = np.searchsorted(need[order], np.arange(n_needs + 1))
    return [order[starts[n] : starts[n + 1]].tolist() for n in range(n_needs)]


def lagrangian_assignment(
    n_needs: int,
    need: np.ndarray,
    offer: np.ndarray,
    score: np.ndarray,
    use: np.ndarray,
    room: np.ndarray,
    must: np.ndarray,
    target: float | None,
    iterations: int = 150,
    keep: int = 1,
) -> tuple[list[np.ndarray], float]:
    """Price each offer's capacity (Lagrangian relaxation of the capacity rows) and let each
    need take its best arc at those prices; prices follow subgradient steps: shrinking
    steps in proportion to overload when `target` is None (good for finding assignments
    that nearly fit), else Polyak's rule towards `target`, the score of a known feasible
    assignment (good for the bound).

    Returns the `keep` iterates that overfill capacity least (arc per need, -1 for none;
    they may still overfill, see :func:`repair`) and the best Lagrangian bound found, an
    upper bound on the score of any feasible assignment (the LP bound at best).
    """
    order = np.argsort(need, kind="stable")
    sorted_need = need[order]
    starts = np.flatnonzero(np.diff(sorted_need, prepend=-1) != 0)
    owners = sorted_need[starts]
    group_of = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(order))))
    positions = np.arange(len(order))
    must_owner = must[owners]
    price = np.zeros(len(room))
    # Price steps in units of score per unit of capacity.
    typical = float(np.median(np.abs(score) / np.maximum(use, 1)))
    bound, stalled, theta = np.inf, 0, 1.0
    kept: list[tuple[tuple, np.ndarray]] = []
    for iteration in range(iterations):
        adjusted = score[order] - price[offer[order]] * use[order]
        top = np.maximum.reduceat(adjusted, starts)
        first = np.minimum.reduceat(
            np.where(adjusted >= top[group_of], positions, len(order)), starts
        )
        take = must_owner | (top > 0)
        value = float(np.where(must_owner, top, np.maximum(top, 0)).sum() + price @ room)
        if bound == np.inf or value < bound - 1e-9 * max(1.0, abs(bound)):
            bound, stalled = value, 0
        else:
            stalled += 1
            if stalled >= 15:
                theta, stalled = theta / 2, 0
        chosen = np.full(n_needs, -1)
        chosen[owners[take]] = order[first[take]]
        placed = chosen >= 0
        load = np.bincount(offer[chosen[placed]], use[chosen[placed]], minlength=len(room))
        key = (-int(np.maximum(load - room, 0).sum()), float(score[chosen[placed]].sum()))
        if keep:
            kept = sorted([*kept, (key, chosen)], key=lambda item: item[0], reverse=True)[:keep]
        slack = (room - load).astype(np.float64)  # the subgradient of the bound
        norm = float(slack @ slack)
        if norm == 0:
            break  # the relaxed choice fits exactly: it is optimal
        if target is None:
            step = typical * 2.0 * (0.97**iteration) / np.maximum(room, 1)
        else:
            step = theta * max(value - target, 1e-9 * max(1.0, abs(value))) / norm
        price = np.maximum(price - step * slack, 0.0)
    return [chosen for _, chosen in kept], bound


def starting_assignment(
    n_needs: int,
    need: np.ndarray,
    offer: np.ndarray,
    score: np.ndarray,
    use: np.ndarray,
    room: np.ndarray,
    must: np.ndarray,
) -> tuple[np.ndarray, float]:
    """A good feasible assignment to start from, and an upper bound on the best score.

    A regret greedy (needs that fit worst placed first, which rarely fails to cover every
    must-cover need) gives a first feasible score; Lagrangian prices aimed at it give
    assignments that mostly fit and score well, and a bound. Each start is repaired and
    improved by shifts; the best is returned as a boolean mask over arcs.
    """
    use, room = use.astype(np.int64), room.astype(np.int64)
    if len(need) == 0:
        return np.zeros(0, bool), 0.0
    relative_use = use / np.maximum(room[offer], 1)
    starts = [regret_greedy(n_needs, need, offer, -relative_use, use, room, must)]
    near_fits, bound = lagrangian_assignment(n_needs, need, offer, score, use, room, must, None)
    starts += near_fits
    best, best_key = None, None
    for start in starts:
        chosen = repair(start, need, offer, score, use, room, must)
        chosen = shift_search(chosen, need, offer, score, use, room, must)
        placed = chosen >= 0
        key = (
            _fits(chosen, need, offer, use, room, must),
            int(np.count_nonzero(placed[must])),
            float(score[chosen[placed]].sum()),
        )
        if best_key is None or key > best_key:
            best, best_key = chosen, key
    if best_key[0]:  # a feasible score to aim the prices at tightens the bound
        _, aimed = lagrangian_assignment(
            n_needs, need, offer, score, use, room, must, best_key[2], iterations=120, keep=0
        )
        bound = min(bound, aimed)
    mask = np.zeros(len(need), bool)
    mask[best[best >= 0]] = True
    return mask, bound


def _fits(chosen, need, offer, use, room, must) -> bool:
    placed = chosen >= 0
    load = np.bincount(offer[chosen[placed]], use[chosen[placed]], minlength=len(room))
    return bool((load <= room).all() and placed[must].all())
