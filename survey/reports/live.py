"""The index so far for a wave still collecting responses, for the live monitor."""

from __future__ import annotations

from sqlalchemy.orm import Session

from survey.models import Wave
from survey.reports.model import Stat


def index_so_far(session: Session, wave: Wave | None) -> Stat | None:
    """The provincial index of ``wave``'s responses so far, or ``None`` without responses.

    An index that cannot be computed yet (a part nobody answered) or has no interval (one
    desk-day per locality) comes back with its note, which the monitor shows in words.
    """
    if wave is None:
        return None
    # The statistics (pandas, SciPy) load on the monitor's first look, not with the app.
    from analysis.design import Design, DesignError
    from analysis.sipas import index_nodes
    from survey.frame.load import analysis_frame
    from survey.questionnaire import from_dict
    from survey.reports.build import PSU, STRATUM, WEIGHT, stat_of, tree_to_node

    frame, _ = analysis_frame(session, wave)
    if frame.empty:
        return None
    root, _, _ = tree_to_node(from_dict(wave.questionnaire_version.definition).index)
    try:
        design = Design.from_frame(frame, weight=WEIGHT, strata=STRATUM, cluster=PSU)
        index = next(r for r in index_nodes(design, root) if r.statistic == "index")
    except DesignError:
        return None
    return stat_of(index)
