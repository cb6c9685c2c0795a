"""The documented preference-to-weight function."""

from __future__ import annotations

import itertools

import pytest

from schedule.weights import pair_weight

LEVELS: list[int | None] = [None, 0, 1, 2, 3]
RATED = [1, 2, 3]


@pytest.mark.parametrize(("candidate", "employer"), [(0, 3), (3, 0), (0, None), (None, 0), (0, 0)])
def test_pair_weight_no_from_either_side_is_not_listed(candidate: int | None, employer: int | None) -> None:
    assert pair_weight(candidate, employer, sector_match=True) is None


def test_pair_weight_unrated_without_sector_match_is_not_listed() -> None:
    assert pair_weight(None, None, sector_match=False) is None


def test_pair_weight_unrated_with_sector_match_is_below_every_rated_pair() -> None:
    unrated = pair_weight(None, None, sector_match=True)
    rated = [
        pair_weight(c, e, sector_match=s)
        for c, e, s in itertools.product(LEVELS, LEVELS, [False, True])
        if (c, e) != (None, None)
    ]

    assert unrated == 1
    assert all(w is None or w > unrated for w in rated)


@pytest.mark.parametrize("sector_match", [False, True])
def test_pair_weight_candidate_counts_at_least_as_much(sector_match: bool) -> None:
    order = {None: -1, 1: 1, 2: 2, 3: 3}
    for high, low in itertools.product([None, *RATED], repeat=2):
        if order[high] < order[low] or (high, low) == (None, None):
            continue
        candidate_high = pair_weight(high, low, sector_match=sector_match)
        employer_high = pair_weight(low, high, sector_match=sector_match)
        assert candidate_high is not None
        assert employer_high is not None
        assert candidate_high >= employer_high, (high, low)


@pytest.mark.parametrize("sector_match", [False, True])
def test_pair_weight_is_monotone_in_both_levels(sector_match: bool) -> None:
    for c, e in itertools.product(RATED, repeat=2):
        here = pair_weight(c, e, sector_match=sector_match)
        assert here is not None
        assert here > 0
        if c < 3:
            assert (pair_weight(c + 1, e, sector_match=sector_match) or 0) > here
        if e < 3:
            assert (pair_weight(c, e + 1, sector_match=sector_match) or 0) > here


def test_pair_weight_rejects_levels_off_the_scale() -> None:
    with pytest.raises(ValueError, match=r"preference level must be 0\.\.3"):
        pair_weight(4, 1, sector_match=False)
