"""The `field` macro renders label, hint and errors, linked to the input for screen readers."""

from flask import render_template_string

from survey.admin.forms import ReviewForm, WaveForm

TEMPLATE = '{% from "_macros.html" import field %}{{ field(form[name], hint=hint) }}'


def _render(form, name, hint=None):
    return render_template_string(TEMPLATE, form=form, name=name, hint=hint)


def test_text_field_links_hint_and_errors(app):
    with app.test_request_context(method="POST", data={"code": "bad"}):
        form = WaveForm()
        form.questionnaire_version_id.choices = []
        form.validate()
        html = _render(form, "code", hint="Ví dụ 2026Q3")
    assert '<label for="code">Mã đợt</label>' in html
    assert '<p class="hint" id="code-hint">Ví dụ 2026Q3</p>' in html
    assert 'id="code-error"' in html and "Mã đợt theo dạng năm và quý" in html
    assert 'aria-describedby="code-hint code-error"' in html and 'aria-invalid="true"' in html


def test_radio_group_is_a_fieldset_with_legend(app):
    with app.test_request_context(method="POST", data={}):
        form = ReviewForm()
        form.validate()
        html = _render(form, "decision")
    assert html.startswith('<fieldset class="field field-group has-error"')
    assert "<legend>Quyết định</legend>" in html
    assert html.count('type="radio"') == 2 and 'id="decision-error"' in html


def test_field_without_errors_has_no_error_markup(app):
    with app.test_request_context():
        html = _render(ReviewForm(), "reason")
    assert 'class="error"' not in html and "aria-invalid" not in html
    assert '<label for="reason">Lý do</label>' in html
