"""Questionnaires as data, and everything every survey's flow does with one at run time.

The definitions (``loader``, ``model``, ``relevance``, ``validate`` and the modules they use)
are plain Python: YAML files in ``questionnaires/`` loaded into frozen models, with nothing
from ``survey`` but its enumerations, so the CLI, the web app and tests can all use them alone::

    questionnaire = load_questionnaire("questionnaires/sipas-2026.yaml")
    page = questionnaire.pages[0]
    shown = questionnaire.visible_items(page, answers)
"""
from .loader import check_questionnaire, from_dict, load_directory, load_questionnaire
from .model import AssignedBlock, Item, QuestionnaireDefinition
from .problems import Problem, QuestionnaireError, format_problems

# The parts (pages, sections, choice lists, the index tree, relevance) are in .model and .relevance.
# At run time, for the citizens', the leaders' and any other survey's flow: .versions (a wave's
# published version, parsed once), .flow (the next page under the skip logic), .form (a page as
# a form) and .scrub (personal data removed from free text).
__all__ = [
    "AssignedBlock", "Item", "Problem", "QuestionnaireDefinition", "QuestionnaireError",
    "check_questionnaire", "format_problems", "from_dict", "load_directory", "load_questionnaire",
]
