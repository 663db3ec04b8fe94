"""Keep leaders' answers as answer rows: one answer store for every survey.

`answer` gains `leader_response_id` (a leader's response, ON DELETE CASCADE) beside
`response_id`, which becomes nullable, with a CHECK that exactly one of the two is set and a
unique (leader_response_id, item_code), as citizens' rows have (response_id, item_code). Every
`leader_response.answers` JSON becomes rows, its values kept as the citizens' store keeps the
same item types (frozen copy below), and the JSON column is dropped. Downgrade moves the rows
back into the JSON column, select_many answers as lists again.

The item types come from each wave's published questionnaire version. Rows are written per
response in the order the responses are read (their stored order): a migration adds no order
of its own to what the mix wrote.

Revision ID: c9e1a3b5d7f2
Revises: d8b0c2e4f6a3
Create Date: 2026-12-04 22:30:00

"""
import json
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c9e1a3b5d7f2'
down_revision = 'd8b0c2e4f6a3'
branch_labels = None
depends_on = None

ONE_RESPONDENT = ("(response_id IS NOT NULL AND leader_response_id IS NULL)"
                  " OR (response_id IS NULL AND leader_response_id IS NOT NULL)")
CHUNK = 5000

# Frozen copies of survey.enums.ItemType values and of Item.stored / Item.score as of this revision.
SELECT_MANY, LIKERT = 'select_many', 'likert'
SCALE = ('1', '2', '3', '4', '5')

leader_response = sa.table('leader_response', sa.column('id', sa.Uuid()), sa.column('wave_id', sa.Integer()),
                           sa.column('answers', sa.JSON()))
answer = sa.table('answer', sa.column('id', sa.Integer()), sa.column('response_id', sa.Uuid()),
                  sa.column('leader_response_id', sa.Uuid()), sa.column('item_code', sa.String(60)),
                  sa.column('value', sa.Text()), sa.column('score', sa.SmallInteger()))
wave = sa.table('wave', sa.column('id', sa.Integer()), sa.column('questionnaire_version_id', sa.Integer()))
version = sa.table('questionnaire_version', sa.column('id', sa.Integer()), sa.column('definition', sa.JSON()))


def _item_types(connection) -> dict[int, dict[str, str]]:
    """Each leaders' wave's item types by item code, from its published definition."""
    types = {}
    rows = connection.execute(
        sa.select(wave.c.id, version.c.definition)
        .join(version, version.c.id == wave.c.questionnaire_version_id)
        .where(wave.c.id.in_(sa.select(leader_response.c.wave_id).distinct())))
    for wave_id, definition in rows:
        definition = json.loads(definition) if isinstance(definition, str) else definition
        types[wave_id] = {item['code']: item.get('type', '')
                          for page in definition.get('pages', ())
                          for section in page.get('sections', ())
                          for item in section.get('items', ())}
    return types


def _row(response_id, item_type: str, code: str, answer) -> dict:
    value = ' '.join(answer) if item_type == SELECT_MANY else str(answer)
    score = int(value) if item_type == LIKERT and value.strip() in SCALE else None
    return {'response_id': None, 'leader_response_id': response_id, 'item_code': code,
            'value': value, 'score': score}


def _insert(connection, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        connection.execute(answer.insert(), rows[start:start + CHUNK])


def upgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leader_response_id', sa.Uuid(), nullable=True))
        batch_op.alter_column('response_id', existing_type=sa.Uuid(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_answer_leader_response_id_leader_response'),
                                    'leader_response', ['leader_response_id'], ['id'], ondelete='CASCADE')
        batch_op.create_unique_constraint(batch_op.f('uq_answer_leader_response_id_item_code'),
                                          ['leader_response_id', 'item_code'])
        batch_op.create_check_constraint('one_respondent', ONE_RESPONDENT)
    connection = op.get_bind()
    types = _item_types(connection)
    rows = []
    for response_id, wave_id, answers in connection.execute(
            sa.select(leader_response.c.id, leader_response.c.wave_id, leader_response.c.answers)):
        answers = json.loads(answers) if isinstance(answers, str) else (answers or {})
        rows += [_row(response_id, types.get(wave_id, {}).get(code, ''), code, value)
                 for code, value in answers.items() if value is not None]
    _insert(connection, rows)
    # SQLite (3.35+) drops the column in place: a batch rebuild of leader_response would delete
    # it, and with PRAGMA foreign_keys on, its answer rows with it.
    if connection.dialect.name == 'sqlite':
        op.execute('ALTER TABLE leader_response DROP COLUMN answers')
    else:
        op.drop_column('leader_response', 'answers')


def downgrade():
    connection = op.get_bind()
    op.add_column('leader_response', sa.Column('answers', sa.JSON(), nullable=True))
    types = _item_types(connection)
    wave_of = dict(connection.execute(sa.select(leader_response.c.id, leader_response.c.wave_id)).all())
    sheets = defaultdict(dict)
    for response_id, code, value in connection.execute(
            sa.select(answer.c.leader_response_id, answer.c.item_code, answer.c.value)
            .where(answer.c.leader_response_id.is_not(None)).order_by(answer.c.id)):
        item_type = types.get(wave_of[response_id], {}).get(code, '')
        sheets[response_id][code] = value.split() if item_type == SELECT_MANY and value is not None else value
    update = (leader_response.update().where(leader_response.c.id == sa.bindparam('response_id'))
              .values(answers=sa.bindparam('sheet', type_=sa.JSON())))
    pairs = [{'response_id': response_id, 'sheet': sheets.get(response_id, {})} for response_id in wave_of]
    for start in range(0, len(pairs), CHUNK):
        connection.execute(update, pairs[start:start + CHUNK])
    op.execute('DELETE FROM answer WHERE leader_response_id IS NOT NULL')
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_answer_one_respondent'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_answer_leader_response_id_item_code'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_answer_leader_response_id_leader_response'), type_='foreignkey')
        batch_op.alter_column('response_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column('leader_response_id')
    with op.batch_alter_table('leader_response', schema=None) as batch_op:
        batch_op.alter_column('answers', existing_type=sa.JSON(), nullable=False)
