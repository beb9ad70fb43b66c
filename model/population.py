"""Building the population: statuses, households (mixed-status ones included), ethnicity, neighbourhoods.

Everything is drawn over arrays, so a million residents take seconds. Households are of four kinds:
mixed-status (at least one undocumented member and one who is not), undocumented-only, lawful-immigrant
and citizen. Ethnicity is a household label, drawn by kind so that the city-wide shares hold in
expectation. Neighbourhoods are filled with households sorted by a key that mixes ethnicity (weight
`segregation`) with noise.
"""

from __future__ import annotations

import numpy as np

from model.params import STATUSES, NetworkParams, PopulationParams
from model.residents import Residents, Status

CITIZEN_HH, LAWFUL_HH, UNDOCUMENTED_HH, MIXED_HH = range(4)


def build_population(pop: PopulationParams, net: NetworkParams, rng: np.random.Generator) -> Residents:
    """Draw residents with households and neighbourhoods; rows are sorted by neighbourhood, then household."""
    counts = dict(zip(STATUSES, exact_counts([pop.status_shares[s] for s in STATUSES], pop.size)))
    status, household, kind = _households(pop, counts, rng)
    labels = tuple(pop.ethnicity_shares)
    hh_size = np.bincount(household)
    hh_label = _household_labels(pop, labels, kind, hh_size, rng)
    key = net.segregation * hh_label / max(len(labels) - 1, 1) + rng.random(len(hh_size))
    hh_rank = np.empty(len(hh_size), dtype=np.int64)
    hh_rank[np.argsort(key, kind="stable")] = np.arange(len(hh_size))
    order = np.argsort(hh_rank[household], kind="stable")
    household = hh_rank[household][order]
    status = status[order]
    n_neighbourhoods = max(1, round(pop.size / net.neighbourhood_size))
    # intp: it indexes per-neighbourhood arrays every day
    neighbourhood = (np.arange(pop.size) * n_neighbourhoods // pop.size).astype(np.intp)
    # keep each household in one neighbourhood: the neighbourhood of its first member
    first = np.searchsorted(household, np.arange(household.max() + 1))
    neighbourhood = neighbourhood[first][household]
    ethnicity = np.empty(len(hh_size), dtype=np.int8)
    ethnicity[hh_rank] = hh_label
    ethnicity = ethnicity[household]
    undocumented = status == Status.UNDOCUMENTED
    has_undoc = np.bincount(household, weights=undocumented) > 0
    has_other = np.bincount(household, weights=~undocumented) > 0
    mixed = (has_undoc & has_other)[household]
    res = Residents(labels=labels, status=status.astype(np.int8), household=household.astype(np.int32),
                    ethnicity=ethnicity, neighbourhood=neighbourhood, mixed=mixed)
    res.citizen_family = citizen_spouse_or_child(res, pop.citizen_spouse_or_child_share, rng)
    res.dhs_record = (res.status != Status.CITIZEN) | (rng.random(len(res)) < pop.naturalized_share_of_citizens)
    return res


def citizen_spouse_or_child(res: Residents, share: float, rng: np.random.Generator) -> np.ndarray:
    """Who has a U.S.-citizen spouse or child at home: among residents living with a citizen, each with the
    chance that makes `share` of undocumented residents have one (the household gives no family roles)."""
    with_citizen = res.lives_with_citizen()
    undocumented = res.status == Status.UNDOCUMENTED
    eligible = np.count_nonzero(with_citizen & undocumented)
    chance = min(1.0, share * np.count_nonzero(undocumented) / eligible) if eligible else 0.0
    return with_citizen & (rng.random(len(res)) < chance)


def exact_counts(shares: list[float], n: int) -> np.ndarray:
    """Split n into integer counts proportional to shares (largest remainder), summing exactly to n."""
    raw = np.asarray(shares, dtype=float) * n
    counts = np.floor(raw).astype(np.int64)
    short = n - counts.sum()
    counts[np.argsort(counts - raw, kind="stable")[:short]] += 1
    return counts


def household_sizes(n: int, mean: float, rng: np.random.Generator) -> np.ndarray:
    """Sizes 1 + Poisson(mean - 1) that sum exactly to n (the last one trimmed)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    k = int(n / mean * 1.2) + 10
    while True:
        sizes = 1 + rng.poisson(mean - 1, k)
        total = np.cumsum(sizes)
        if total[-1] >= n:
            break
        k *= 2
    last = int(np.searchsorted(total, n))
    sizes = sizes[: last + 1]
    sizes[-1] -= total[last] - n
    return sizes


def _households(pop: PopulationParams, counts: dict[str, int], rng: np.random.Generator):
    """Assign every resident a status and a household; return (status, household, kind per household)."""
    lawful = np.repeat([Status.LAWFUL_PERMANENT_RESIDENT, Status.TEMPORARY_VISA],
                       [counts["lawful_permanent_resident"], counts["temporary_visa"]])
    rng.shuffle(lawful)
    n_mixed = min(pop.size, round(pop.mixed_status_share * pop.size))
    mix_cit = min(counts["citizen"], round(pop.citizen_share_in_mixed * n_mixed))
    mix_und = min(counts["undocumented"], n_mixed - mix_cit)
    mix_law = min(len(lawful), n_mixed - mix_cit - mix_und)
    n_households = min(round((mix_cit + mix_und + mix_law) / pop.household_size_mean), mix_und, mix_cit + mix_law)
    if n_households == 0:
        mix_cit = mix_und = mix_law = 0
    mixed_members = np.concatenate([np.full(mix_und, Status.UNDOCUMENTED), np.full(mix_cit, Status.CITIZEN),
                                    lawful[:mix_law]])
    # one undocumented and one other member per household first, then the rest at random
    others = np.arange(mix_und, len(mixed_members))
    seat = np.empty(len(mixed_members), dtype=np.int64)
    seat[:n_households] = np.arange(n_households)
    seat[others[:n_households]] = np.arange(n_households)
    rest = np.concatenate([np.arange(n_households, mix_und), others[n_households:]])
    seat[rest] = rng.integers(0, max(n_households, 1), len(rest))

    status_parts, household_parts, kinds = [mixed_members], [seat], [np.full(n_households, MIXED_HH)]
    next_id = n_households
    for kind, members in ((UNDOCUMENTED_HH, np.full(counts["undocumented"] - mix_und, Status.UNDOCUMENTED)),
                          (LAWFUL_HH, lawful[mix_law:]),
                          (CITIZEN_HH, np.full(counts["citizen"] - mix_cit, Status.CITIZEN))):
        sizes = household_sizes(len(members), pop.household_size_mean, rng)
        status_parts.append(members)
        household_parts.append(next_id + np.repeat(np.arange(len(sizes)), sizes))
        kinds.append(np.full(len(sizes), kind))
        next_id += len(sizes)
    return np.concatenate(status_parts), np.concatenate(household_parts), np.concatenate(kinds)


def _household_labels(pop: PopulationParams, labels: tuple[str, ...], kind: np.ndarray, hh_size: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray:
    """Draw each household's ethnicity label; citizen households take what keeps the city-wide shares."""
    by_kind = {
        MIXED_HH: pop.ethnicity_shares_undocumented,
        UNDOCUMENTED_HH: pop.ethnicity_shares_undocumented,
        LAWFUL_HH: pop.ethnicity_shares_lawful,
    }
    target = np.array([pop.ethnicity_shares[label] for label in labels]) * pop.size
    for k, shares in by_kind.items():
        target -= hh_size[kind == k].sum() * np.array([shares[label] for label in labels])
    citizen_dist = np.clip(target, 0, None)
    citizen_dist = (citizen_dist / citizen_dist.sum() if citizen_dist.sum() > 0
                    else np.full(len(labels), 1 / len(labels)))
    out = np.empty(len(kind), dtype=np.int8)
    for k in (CITIZEN_HH, *by_kind):
        dist = citizen_dist if k == CITIZEN_HH else np.array([by_kind[k][label] for label in labels])
        mask = kind == k
        out[mask] = rng.choice(len(labels), size=int(mask.sum()), p=dist)
    return out
