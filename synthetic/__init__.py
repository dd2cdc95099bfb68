"""Synthetic case system of a fictional (or real, scaled) English council's children's social care.

``generate_council(CouncilConfig(...))`` simulates the case system and returns a :class:`SyntheticCouncil`
whose ``write(landing_root)`` writes realistic monthly extracts in the format of
``../shared/spec/extract_contract.md``, and whose ``truth`` / ``snapshots`` say what a correct warehouse must
end with. ``generate_councils(n, seed)`` does the same for real councils, scaled by population.
"""

from synthetic.council import (
    CouncilConfig,
    SyntheticCouncil,
    generate_council,
    generate_councils,
    iter_councils,
    load_councils,
)
from synthetic.extracts import Correction, ExtractInfo

__all__ = [
    "Correction",
    "CouncilConfig",
    "ExtractInfo",
    "SyntheticCouncil",
    "generate_council",
    "generate_councils",
    "iter_councils",
    "load_councils",
]
