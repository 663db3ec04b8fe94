"""A leaders' wave and a leader walking `/l/<token>` through the test client."""

from __future__ import annotations

import re

import pytest

from survey.questionnaire import load_questionnaire
from tests.factories import LEADERS_FILE, make_invitations, make_leader_wave

LEADERS = load_questionnaire(LEADERS_FILE)
PAGE = re.compile(r'name="page" type="hidden" value="(\d+)"|name="page" value="(\d+)"')


@pytest.fixture
def leader_wave(db_session):
    wave = make_leader_wave(db_session)
    db_session.commit()
    return wave


@pytest.fixture
def tokens(db_session, leader_wave):
    """Links of six invited leaders: three department leaders, three commune leaders."""
    made = make_invitations(db_session, leader_wave, {"lanh_dao_so": 3, "lanh_dao_xa": 3})
    db_session.commit()
    return made


def page_answers(page_number: int, choice: str = "b") -> dict[str, str]:
    """Every criterion of page ``page_number`` answered with ``choice``."""
    return {item.code: choice for item in LEADERS.pages[page_number].items if item.type == "graded"}


def page_of(html: str) -> int:
    match = PAGE.search(html)
    assert match, html[:500]
    return int(match.group(1) or match.group(2))


def start(client, token: str):
    """Open the link and press "Bắt đầu", as a leader does; return the first page."""
    assert client.get(f"/l/{token}").status_code == 200
    return client.post("/l/", data={"token": token, "action": "start"})


def post(client, token: str, **data):
    """Post one page of the questionnaire of ``token``."""
    return client.post("/l/", data={"token": token, **data})


UNUSABLE = "Không mở được phiếu"
DEVICE_COOKIE = "sv_leader_device"


def device_of(client) -> str:
    """The browser's half of the draft key, as the leader's browser keeps it."""
    cookie = client.get_cookie(DEVICE_COOKIE, path="/l/")
    assert cookie is not None
    return cookie.value


def opens(client, token: str) -> bool:
    """Whether pressing "Bắt đầu" on ``token``'s landing page opens the questionnaire."""
    html = start(client, token).get_data(as_text=True)
    return UNUSABLE not in html and PAGE.search(html) is not None


def close(db_session, wave) -> None:
    """End the wave, as Sở Nội vụ does when its period is over."""
    from survey.models import Wave, WaveStatus

    db_session.get(Wave, wave.id).status = WaveStatus.CLOSED
    db_session.commit()


def answer_all(client, token: str, choice: str = "b") -> object:
    """Answer every page with ``choice`` and submit; return the last response."""
    response = start(client, token)
    for number in range(len(LEADERS.pages)):
        assert page_of(response.get_data(as_text=True)) == number
        action = "submit" if number == len(LEADERS.pages) - 1 else "next"
        response = post(client, token, page=number, action=action, **page_answers(number, choice))
    return response
