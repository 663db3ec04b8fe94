"""The questionnaire's index tree as plain JSON, for `python -m analysis index --tree`.

Shape (read by analysis/; keep it):

    {"questionnaire": "sipas-2026", "version": 1, "item_score": "share_satisfied",
     "root": "sipas",
     "nodes": [{"code": "sipas", "label": {"vi": "...", "en": "..."}, "aggregate": "mean",
                "children": ["service", "policy"], "weights": null}, ...]}

`version` is the number of the published questionnaire version the tree comes from. Children
that are not node codes are item codes, which are also the export's column names; `weights`
is null (equal weights) or one number per child.
"""

from __future__ import annotations

from survey.models import QuestionnaireVersion
from survey.questionnaire import QuestionnaireDefinition, from_dict


def index_tree(version: QuestionnaireVersion) -> dict:
    """The index tree of a published questionnaire version."""
    return {"questionnaire": version.questionnaire.code, "version": version.number,
            **tree_nodes(from_dict(version.definition))}


def tree_nodes(questionnaire: QuestionnaireDefinition) -> dict:
    """The tree file's ``item_score``, ``root`` and ``nodes`` (also kept in the Parquet export)."""
    tree = questionnaire.index
    return {
        "item_score": tree.item_score,
        "root": tree.root.code,
        "nodes": [
            {
                "code": node.code,
                "label": dict(node.label),
                "aggregate": node.aggregate,
                "children": list(node.children),
                "weights": None if node.weights is None else list(node.weights),
            }
            for node in tree.nodes
        ],
    }
