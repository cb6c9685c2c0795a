"""How both sides' preferences become a pair weight for the scheduler (the app's rule, also used by
`schedule.solver.generate` for its made-up fairs; the app reaches it through `schedule.weights`).

Both sides rate on the app's scale 0 = no, 1 = maybe, 2 = yes, 3 = very much, or leave it
unrated (None). The rule:

* a 0 from either side vetoes the pair: it is not listed, so it never meets;
* a pair nobody rated is listed only when the candidate's sectors match the employer's openings,
  with weight 1, lower than any rated pair, so empty seats can still be used without a
  3,000-candidate fair growing to hundreds of thousands of pairs;
* otherwise ``weight = 3 * f(candidate) + 2 * f(employer) + sector``, where
  f(None) = 1, f(1) = 2, f(2) = 4, f(3) = 7 and sector is 1 on a sector match.

The candidate's factor (3) is at least the employer's (2), so swapping the levels so that the
candidate holds the higher one never lowers the weight; f grows with the level, so the weight is
monotone in both levels; the convex step from 2 to 3 makes "very much" stand out. Rated pairs
weigh 7 to 36.
"""

from __future__ import annotations

CANDIDATE_FACTOR = 3
EMPLOYER_FACTOR = 2
_LEVEL_VALUE = {None: 1, 1: 2, 2: 4, 3: 7}


def pair_weight(candidate_level: int | None, employer_level: int | None, *, sector_match: bool) -> int | None:
    """The pair's weight, or None when the pair must not be listed."""
    for level in (candidate_level, employer_level):
        if level is not None and level not in (0, 1, 2, 3):
            raise ValueError(f"preference level must be 0..3 or None, not {level!r}")
    if candidate_level == 0 or employer_level == 0:
        return None
    if candidate_level is None and employer_level is None:
        return 1 if sector_match else None
    return (
        CANDIDATE_FACTOR * _LEVEL_VALUE[candidate_level]
        + EMPLOYER_FACTOR * _LEVEL_VALUE[employer_level]
        + (1 if sector_match else 0)
    )
