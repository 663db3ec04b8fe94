"""Questionnaires as data: YAML files in ``questionnaires/`` loaded into frozen models.

This package is plain Python (PyYAML only) and imports nothing else from
``survey``, so the CLI, the web app and tests can all use it alone::

    questionnaire = load_questionnaire("questionnaires/sipas-2026.yaml")
    page = questionnaire.pages[0]
    shown = questionnaire.visible_items(page, answers)
"""
from .loader import check_questionnaire, from_dict, load_directory, load_questionnaire
from .model import AssignedBlock, Item, QuestionnaireDefinition
from .problems import Problem, QuestionnaireError, format_problems

# The parts (pages, sections, choice lists, the index tree, relevance) are in .model and .relevance.
__all__ = [
    "AssignedBlock", "Item", "Problem", "QuestionnaireDefinition", "QuestionnaireError",
    "check_questionnaire", "format_problems", "from_dict", "load_directory", "load_questionnaire",
]
