"""Checks that need the whole questionnaire: duplicate codes, references and the index tree."""
from __future__ import annotations

from collections.abc import Callable

from survey.enums import ItemType

from .breakdowns import check_sections
from .model import ITEM_TYPES, POINTS_TOLERANCE, Item, QuestionnaireDefinition
from .problems import Problem
from .relevance import Expression
from .shape import did_you_mean

Report = Callable[[int | None, str, str], None]


def validate(questionnaire: QuestionnaireDefinition, file: str) -> list[Problem]:
    """Every cross-reference problem in ``questionnaire``; an empty list when it is sound."""
    problems: list[Problem] = []

    def report(line: int | None, message: str, fix: str) -> None:
        problems.append(Problem(file, line, message, fix))

    _check_structure(questionnaire, report)
    _check_duplicates(questionnaire, report)
    _check_relevance(questionnaire, report)
    _check_blocks(questionnaire, report)
    _check_recordings(questionnaire, report)
    check_sections(questionnaire, report)
    before = len(problems)
    _check_index(questionnaire, report)
    if len(problems) == before and questionnaire.index.item_score == "points":
        _check_points(questionnaire, report)  # the tree is sound, so it can be walked
    return problems


def _check_structure(q: QuestionnaireDefinition, report: Report) -> None:
    if not q.pages:
        report(None, "the questionnaire has no pages", "add pages under 'pages:'")
    elif q.pages[0].optional:
        report(q.pages[0].line, f"the first page '{q.pages[0].code}' is optional",
               "start with a required page; respondents are offered the optional part at the end")
    first_optional = None
    for page in q.pages:
        if page.optional:
            first_optional = first_optional or page
        elif first_optional is not None:
            report(page.line, f"required page '{page.code}' comes after the optional page "
                   f"'{first_optional.code}'",
                   "move the optional pages to the end: respondents may submit before reaching them")
        if not page.sections:
            report(page.line, f"page '{page.code}' has no sections", "add a section with items")
        for section in page.sections:
            if not section.items:
                report(section.line, f"section '{section.code}' has no items",
                       "add items under 'items:', or remove the section")


def _check_blocks(q: QuestionnaireDefinition, report: Report) -> None:
    """Each assigned block names existing pages, none optional, none the first, none twice."""
    pages = {page.code: page for page in q.pages}
    first_block: dict[str, str] = {}
    codes: dict[str, int | None] = {}
    for block in q.blocks:
        if block.code in codes:
            report(block.line, f"duplicate assigned block code '{block.code}' (first on line "
                   f"{codes[block.code]})", "give each assigned block its own code")
        codes.setdefault(block.code, block.line)
        for code in block.pages:
            page = pages.get(code)
            if page is None:
                report(block.line, f"assigned block '{block.code}' names the page '{code}', which is "
                       f"not a page{did_you_mean(code, pages)}", "use the code of a page under 'pages:'")
            elif page.optional:
                report(page.line, f"page '{code}' is in assigned block '{block.code}' but is optional",
                       "remove 'optional: true': the assigned respondents are asked the block as "
                       "ordinary pages, and those not assigned never see it")
            elif q.pages and page is q.pages[0]:
                report(page.line, f"the first page '{code}' is in assigned block '{block.code}'",
                       "start with a page everyone answers; put the block's pages later")
            if code in first_block:
                report(block.line, f"page '{code}' is in assigned blocks '{first_block[code]}' and "
                       f"'{block.code}'", "put each page in one assigned block only")
            first_block.setdefault(code, block.code)


def _check_recordings(q: QuestionnaireDefinition, report: Report) -> None:
    """A complete language with recordings has one for every question and every option.

    A citizen who cannot read the page listens to it: one question or option left silent would
    leave them unable to answer. Draft languages may be recorded bit by bit.
    """
    for language in q.languages:
        recorded = q.recordings.get(language)
        if not recorded:
            continue
        fix = (f"add 'audio: {{{language}: <file name>}}' to it, or record {language} in full "
               "before listing recordings for it")
        lists_seen: set[str] = set()
        for item in q.items:
            if item.code not in recorded:
                report(item.line, f"item '{item.code}' has no recording in '{language}', though other "
                       f"questions have one", fix)
            if item.choices is None or item.choices.name in lists_seen:
                continue
            lists_seen.add(item.choices.name)
            for choice in item.choices.choices:
                if f"{item.choices.name}:{choice.value}" not in recorded:
                    report(item.choices.line, f"choice '{choice.value}' of choice list '{item.choices.name}' "
                           f"has no recording in '{language}', though other questions have one", fix)


def _check_duplicates(q: QuestionnaireDefinition, report: Report) -> None:
    def once(things, what: str) -> None:
        first: dict[str, int | None] = {}
        for thing in things:
            if thing.code and thing.code in first:
                report(thing.line, f"duplicate {what} code '{thing.code}' (first on line "
                       f"{first[thing.code]})", f"give each {what} its own code")
            first.setdefault(thing.code, thing.line)

    once(q.pages, "page")
    once([section for page in q.pages for section in page.sections], "section")
    once(q.items, "item")
    once(q.index.nodes, "index node")
    items = q.items_by_code
    for node in q.index.nodes:
        if node.code in items:
            report(node.line, f"index node '{node.code}' has the same code as an item "
                   f"(line {items[node.code].line})", "give the node a code no item uses")


def _check_relevance(q: QuestionnaireDefinition, report: Report) -> None:
    items = q.items_by_code
    before: dict[str, Item] = {}

    def check(expression: Expression | None, owner: str) -> None:
        if expression is None:
            return
        for code in expression.references:
            if code not in items:
                report(expression.line, f"the relevance of {owner} refers to '${{{code}}}', which is "
                       f"not an item{did_you_mean(code, items)}", "use the code of an earlier item")
            elif code not in before:
                report(expression.line, f"the relevance of {owner} refers to '${{{code}}}', which "
                       f"is asked later (line {items[code].line})",
                       "refer only to items asked before, or move that item earlier")
        for comparison in expression.comparisons:
            target = items.get(comparison.ref)
            if target and target.choices and comparison.literal not in target.choices.values:
                report(expression.line, f"the relevance of {owner} compares '${{{comparison.ref}}}' "
                       f"with '{comparison.literal}', which is not a value of choice list "
                       f"'{target.choices.name}'", "use one of the values "
                       + ", ".join(target.choices.values))

    for page in q.pages:
        check(page.relevant, f"page '{page.code}'")
        for section in page.sections:
            check(section.relevant, f"section '{section.code}'")
            for item in section.items:
                check(item.relevant, f"item '{item.code}'")
                before.setdefault(item.code, item)


def _check_index(q: QuestionnaireDefinition, report: Report) -> None:
    index, items = q.index, q.items_by_code
    nodes = {node.code: node for node in index.nodes}
    if not nodes:
        report(index.line, "the index has no nodes",
               "add nodes: items → elements → fields → overall")
        return
    scored = ItemType.GRADED if index.item_score == "points" else ItemType.LIKERT
    parent: dict[str, str] = {}
    for node in index.nodes:
        if not node.children:
            report(node.line, f"index node '{node.code}' has no items or children",
                   "list its item or node codes under 'children', or remove the node")
        for child in node.children:
            if child in parent:
                report(node.line, f"'{child}' appears more than once in the index (also under "
                       f"'{parent[child]}')", "put each item or node under one parent only")
            parent.setdefault(child, node.code)
            if child in nodes:
                continue
            if child not in items:
                report(node.line, f"index node '{node.code}' refers to '{child}', which is neither "
                       f"an item nor an index node{did_you_mean(child, [*items, *nodes])}",
                       f"use the code of a {scored} item or of another index node")
            elif items[child].type in ITEM_TYPES and items[child].type != scored:
                report(node.line, f"index node '{node.code}' includes item '{child}', which is "
                       f"a {items[child].type} item, not a {scored} item",
                       f"with item_score {index.item_score} only {scored} items are scored; "
                       "remove it from 'children'")
    roots = [node for node in index.nodes if node.code not in parent]
    for extra in roots[1:]:
        report(extra.line, f"index node '{extra.code}' is under no other node, but "
               f"'{roots[0].code}' is already the top of the index",
               f"add '{extra.code}' to the children of a node, or remove it")
    reached: set[str] = set()
    stack = [root.code for root in roots]
    while stack:
        code = stack.pop()
        if code in nodes and code not in reached:
            reached.add(code)
            stack.extend(nodes[code].children)
    for node in index.nodes:
        if node.code not in reached:
            report(node.line, f"index node '{node.code}' is part of a loop",
                   "a node must not be below itself; remove it from its descendants' children")


def _check_points(q: QuestionnaireDefinition, report: Report) -> None:
    """Every graded criterion sits in the index, and their points add up to the stated total."""
    index = q.index
    if index.total is None:
        return
    under = set(index.items_under(index.root.code))
    for item in q.graded_items:
        if item.code not in under:
            report(item.line, f"graded item '{item.code}' is not in the index",
                   "add it to the children of its PAR field's node, or remove it")
    points = sum(item.points or 0 for item in q.graded_items if item.code in under)
    if abs(points - index.total) > POINTS_TOLERANCE:
        report(index.line, f"the criteria's points add up to {points:g}, but the index states a "
               f"total of {index.total:g}", "correct the 'points' of the criteria or the 'total'")
