"""Answers to the items that raking margins name (e.g. gender, age_band), read set-based."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.frame.responses import response_id_text
from survey.models import Answer, Response, Wave


def margin_answers(session: Session, wave: Wave, items: list[str]) -> dict[str, pd.Series]:
    """For each item code, a Series response_id → answer value."""
    rows = session.execute(
        select(response_id_text(session), Answer.item_code, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.wave_id == wave.id, Answer.item_code.in_(items))
    ).all()
    long = pd.DataFrame(rows, columns=["response_id", "item_code", "value"])
    return {code: group.set_index("response_id")["value"] for code, group in long.groupby("item_code")}
