"""Drawing a week's QA sample: stratified, without replacement, seeded, with known probabilities.

Every decision in the frame gets an inclusion probability ``pi > 0``, so every inspection can
carry ``sampling_weight = 1 / pi`` and the dashboard's weighted (Hájek) accuracy stays
unbiased whatever the allocation favoured.

Why hand-written: the draw is a simple random sample without replacement inside each cell,
which is one random key per decision and a rank within the cell (a dozen lines of numpy),
reproducible from a seed and independent of the frame's row order. ``samplics``'
``SampleSelection`` does the same but would add a dependency (and its own data-frame
conventions) for no statistical gain.

References
----------
Cochran WG (1977). Sampling Techniques, 3rd ed. Wiley, sections 5.1-5.3 (stratified random
sampling). Horvitz DG, Thompson DJ (1952). JASA 47:663-685 (weights 1 / pi). Hájek J (1971),
comment in Foundations of Statistical Inference, Holt, Rinehart and Winston, p. 236.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.allocation import allocate, split_floor

__all__ = [
    "MIN_PROBABILITY",
    "Design",
    "Draw",
    "draw_sample",
    "sampling_design",
    "select",
    "selected",
]

# A stratum the plan gives nothing still has this chance per decision (at least one
# inspection), so no decision has probability 0 and every weight exists.
MIN_PROBABILITY = 0.005
REST = "__rest__"


@dataclass(frozen=True)
class Design:
    """Per decision (``units``): the frame plus ``cell``, ``cell_code``, ``cell_decisions``,
    ``cell_inspections`` and ``inclusion_probability``; per stratum (``strata``):
    ``decisions``, ``planned``, ``drawn`` and ``topped_up``."""

    units: pd.DataFrame
    strata: pd.DataFrame


@dataclass(frozen=True)
class Draw:
    """A drawn sample and the design behind it.

    ``sample``: one row per drawn decision (the frame's columns, then ``cell``,
    ``inclusion_probability`` and ``sampling_weight``). ``design``: one row per stratum with
    ``decisions``, ``planned``, ``drawn`` and ``topped_up`` (inspections added above the plan:
    the minimum probability for unplanned strata and moderator floors).
    """

    sample: pd.DataFrame
    design: pd.DataFrame


def _joined(frame: pd.DataFrame, keys: Sequence[str]) -> pd.Series:
    """Return each row's stratum as one string (vectorised: a row-wise join is slow)."""
    joined = frame[keys[0]].astype(str)
    for key in keys[1:]:
        joined = joined + "\x1f" + frame[key].astype(str)
    return joined


def _cells(
    frame: pd.DataFrame, keys: Sequence[str], moderator_floor: int
) -> tuple[pd.Series, pd.Series]:
    """Return each decision's sampling cell and each cell's floor.

    Within a stratum, every moderator with a share of the weekly floor is a cell of their
    own; all other decisions of the stratum (automated ones, moderators without a share)
    form one more cell. Cells make the floor a design feature with exact probabilities.
    """
    moderator = frame["moderator_id"] if "moderator_id" in frame else pd.Series(None, frame.index)
    stratum = _joined(frame, keys)
    floors = pd.Series(0, index=pd.Index([], dtype=object), dtype="int64")
    cell = stratum + "\x1e" + REST
    if moderator_floor > 0 and moderator.notna().any():
        volumes = (
            pd.DataFrame({"stratum": stratum, "moderator_id": moderator})
            .dropna()
            .groupby(["moderator_id", "stratum"], sort=True)
            .size()
        )
        shares = []
        for _, group in volumes.groupby(level="moderator_id", sort=False):
            shares.append(pd.Series(split_floor(moderator_floor, group.to_numpy()), group.index))
        share = pd.concat(shares)
        share = share[share > 0]
        floors = pd.Series(
            share.to_numpy(),
            index=[f"{s}\x1e{m}" for m, s in share.index],
            dtype="int64",
        )
        own = stratum + "\x1e" + moderator.astype(str)
        cell = own.where(own.isin(floors.index), cell)
    return cell, floors


def sampling_design(
    frame: pd.DataFrame,
    allocation: pd.DataFrame,
    *,
    keys: Sequence[str],
    moderator_floor: int = 0,
    min_probability: float = MIN_PROBABILITY,
    inspections: str = "inspections",
) -> Design:
    """Return the design for drawing ``frame`` by ``allocation``: each decision's cell and
    inclusion probability, and the per-stratum summary.

    ``frame`` has ``decision_id``, the stratum ``keys`` and, for moderator floors,
    ``moderator_id`` (null for automated decisions). ``allocation`` has the ``keys`` and the
    planned ``inspections`` per stratum. Each stratum's inspections are spread over its
    cells in proportion to size, each cell at least its floor and one inspection; a stratum
    the plan leaves out gets ``ceil(min_probability * N_h)``.
    """
    if not 0 < min_probability <= 1:
        raise ValueError(f"min_probability must be in (0, 1], not {min_probability}")
    missing = [key for key in ("decision_id", *keys) if key not in frame]
    if missing:
        raise ValueError(f"the frame has no {', '.join(missing)} column")
    frame = frame.sort_values("decision_id", ignore_index=True)
    cell, cell_floors = _cells(frame, keys, moderator_floor)
    stratum = _joined(frame, keys)
    planned_key = _joined(allocation, keys)
    planned = (
        pd.Series(allocation[inspections].to_numpy(), index=planned_key).groupby(level=0).sum()
    )
    sizes = pd.DataFrame({"stratum": stratum, "cell": cell}).groupby(["stratum", "cell"]).size()
    cell_take: dict[str, int] = {}
    rows = []
    for name, cells in sizes.groupby(level="stratum", sort=True):
        cell_names = cells.index.get_level_values("cell")
        volume = cells.to_numpy()
        floors = np.array([max(1, int(cell_floors.get(c, 0))) for c in cell_names])
        floors = np.minimum(floors, volume)
        plan = int(planned.get(name, 0))
        wanted = plan if plan > 0 else math.ceil(min_probability * volume.sum())
        take = int(min(max(wanted, floors.sum()), volume.sum()))
        if len(volume) == 1:
            per_cell = np.array([take])
        else:
            per_cell = allocate(take, volume, np.ones(len(volume)), floors=floors)
        cell_take.update(zip(cell_names, per_cell.tolist(), strict=True))
        rows.append(
            {
                "stratum": name,
                "decisions": int(volume.sum()),
                "planned": plan,
                "drawn": take,
                "topped_up": max(0, take - plan),
            }
        )
    cell_size = cell.map(sizes.droplevel("stratum")).to_numpy()
    cell_n = cell.map(cell_take).to_numpy()
    design = pd.DataFrame(rows)
    if len(design):
        split = design.pop("stratum").str.split("\x1f", expand=True)
        split.columns = list(keys)
        design = pd.concat([split, design], axis=1)
    units = frame.assign(
        cell=cell.str.replace("\x1f", " · ").str.replace("\x1e", " · "),
        cell_code=pd.factorize(cell)[0],
        cell_decisions=cell_size,
        cell_inspections=cell_n,
        inclusion_probability=cell_n / cell_size,
    )
    return Design(units=units, strata=design)


def selected(design: Design, seed: int) -> np.ndarray:
    """Return which of ``design.units`` a seeded draw picks (a boolean array): a simple
    random sample without replacement of ``cell_inspections`` in every cell.
    """
    units = design.units
    codes = units["cell_code"].to_numpy()
    keys = np.random.default_rng(seed).random(len(units))
    # Sort by cell, then by random key: the first n_c of each cell are its sample.
    order = np.lexsort((keys, codes))
    starts = np.searchsorted(codes[order], codes[order], side="left")
    position = np.arange(len(units)) - starts
    chosen = np.zeros(len(units), bool)
    chosen[order] = position < units["cell_inspections"].to_numpy()[order]
    return chosen


def select(design: Design, seed: int) -> pd.DataFrame:
    """Return the decisions a seeded draw picks, with ``sampling_weight = 1 / pi``."""
    sample = design.units[selected(design, seed)]
    sample = sample.drop(columns=["cell_code", "cell_decisions", "cell_inspections"])
    return sample.assign(sampling_weight=1 / sample["inclusion_probability"]).reset_index(drop=True)


def draw_sample(
    frame: pd.DataFrame,
    allocation: pd.DataFrame,
    *,
    keys: Sequence[str],
    seed: int,
    moderator_floor: int = 0,
    min_probability: float = MIN_PROBABILITY,
    inspections: str = "inspections",
) -> Draw:
    """Return a seeded stratified sample of ``frame`` following ``allocation``, and its design.

    :func:`sampling_design` then :func:`select`; the same frame, plan and seed always give
    the same sample, whatever the frame's row order.
    """
    design = sampling_design(
        frame,
        allocation,
        keys=keys,
        moderator_floor=moderator_floor,
        min_probability=min_probability,
        inspections=inspections,
    )
    return Draw(sample=select(design, seed), design=design.strata)
