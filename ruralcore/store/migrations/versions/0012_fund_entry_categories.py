"""fund entries: a declared source category and use category (issue 12: the programme's
closed list decides what is allowed, never the text)

Rows written before carry the categories their kind or text states for certain (忻州's
city allocation is 市级衔接资金 and county matching 县级财政预算安排的配套资金, 融水's
advances and settlements are 自治区财政资金 for 益农信息社 construction, a 银川 spending row
whose use is a category's name); any other stays empty (未分类).
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision, down_revision = '0012', '0011'

# program -> column -> value -> the condition under which a row's kind or text states it
ADVANCE_OR_SETTLEMENT = "kind IN ('advance', 'settlement')"
BACKFILL = {
    "xinzhou-2023": {"source_category": {"city_bridging": "kind = 'allocation'",
                                         "county_budget": "kind = 'county_matching'"}},
    "rongshui-2019": {"source_category": {"region_finance": ADVANCE_OR_SETTLEMENT},
                      "use_category": {"stations": ADVANCE_OR_SETTLEMENT}},
    "yinchuan-2017": {"use_category": {value: f"use = '{use}'" for value, use in (
        ("network", "网络基础设施配套"), ("freight_subsidy", "贫困户资运费补贴"),
        ("ecommerce_award", "村级电商以奖代补"))}},
}


def upgrade() -> None:
    with op.batch_alter_table('fund_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_category', sqlmodel.sql.sqltypes.AutoString(length=40),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('use_category', sqlmodel.sql.sqltypes.AutoString(length=40),
                                      server_default='', nullable=False))
    for program, columns in BACKFILL.items():
        for column, conditions in columns.items():
            for value, cond in conditions.items():
                op.execute(sa.text(f"UPDATE fund_entries SET {column} = :v WHERE program = :p AND {cond}")
                           .bindparams(v=value, p=program))


def downgrade() -> None:
    with op.batch_alter_table('fund_entries', schema=None) as batch_op:
        batch_op.drop_column('use_category')
        batch_op.drop_column('source_category')
