"""Draw the assigned blocks (planned subsamples) a respondent is asked, when a questionnaire starts.

A questionnaire file may declare blocks of pages asked of a random share of respondents only
(`assigned_blocks`, e.g. one in three for the SIPAS policy part); a wave may set its own share.
Each block is drawn on its own from the operating system's random source, so neither the
respondent nor the desk can choose or predict it. The draw travels in the encrypted, signed
form state (`survey.respond.state.FormState.assigned`) and is stored on the response
(`response.assigned_blocks`), so the analysis knows who was asked, answered or not.
"""

from __future__ import annotations

import random

from survey.models import Wave
from survey.questionnaire import QuestionnaireDefinition

SOURCE = random.SystemRandom()
"""Where the draws come from; a test may put a seeded `random.Random` in its place."""


def draw_blocks(questionnaire: QuestionnaireDefinition, wave: Wave) -> tuple[str, ...]:
    """The codes of the blocks this respondent is drawn for, each with its share in `wave`."""
    shares = questionnaire.block_shares(wave.assigned_share)
    return tuple(code for code, share in shares.items() if SOURCE.random() < share)
