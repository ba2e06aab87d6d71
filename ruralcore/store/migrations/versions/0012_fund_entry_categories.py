"""fund entries: a declared source category and use category (issue 12: the programme's
closed list decides what is allowed, never the text)

Rows written before carry the categories their kind or text states for certain (忻州's
city allocation is 市级衔接资金 and county matching 县级财政预算安排的配套资金, 融水's
advances and settlements are 自治区财政资金 for 益农信息社 construction, a 银川 spending row
whose use is a category's name); any other stays empty (未分类).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 02:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# (program, column, value, condition) — what a row's kind or text states for certain
BACKFILL = [
    ("xinzhou-2023", "source_category", "city_bridging", "kind = 'allocation'"),
    ("xinzhou-2023", "source_category", "county_budget", "kind = 'county_matching'"),
    ("rongshui-2019", "source_category", "region_finance", "kind IN ('advance', 'settlement')"),
    ("rongshui-2019", "use_category", "stations", "kind IN ('advance', 'settlement')"),
    ("yinchuan-2017", "use_category", "network", "use = '网络基础设施配套'"),
    ("yinchuan-2017", "use_category", "freight_subsidy", "use = '贫困户资运费补贴'"),
    ("yinchuan-2017", "use_category", "ecommerce_award", "use = '村级电商以奖代补'"),
]


def upgrade() -> None:
    with op.batch_alter_table('fund_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_category', sqlmodel.sql.sqltypes.AutoString(length=40),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('use_category', sqlmodel.sql.sqltypes.AutoString(length=40),
                                      server_default='', nullable=False))
    for program, column, value, cond in BACKFILL:
        op.execute(sa.text(f"UPDATE fund_entries SET {column} = :v WHERE program = :p AND {cond}")
                   .bindparams(v=value, p=program))


def downgrade() -> None:
    with op.batch_alter_table('fund_entries', schema=None) as batch_op:
        batch_op.drop_column('use_category')
        batch_op.drop_column('source_category')
