"""The app's pages, by section: plain data, so tests and the README check read it without
running Streamlit.

Page files live in section folders (county/, acceptance/, supervision/, policy/, admin/),
never in a folder named ``pages/`` beside app.py: Streamlit would then first run the app as
an old-style multipage app, in which every other page is unknown, and show its English
“Page not found” over the first page opened by link after a server start."""

PRODUCT = "数字乡村建设看板"  # the browser tab and the login page name it
PRODUCT_LINE = "县、市两级推进数字乡村建设：目标完成、计分排名、期限督办、试点验收，每项可追溯到文件条款。"
HOME = "overview"  # URL path of the page that opens after signing in when no other was asked for
# A role's own opening page: the village reporter fills the month on a phone.
ROLE_HOME = {"village_reporter": "phone_entry"}

# (section, file under dashboards/, title, material icon, page key in ruralcore.scope.PAGE_ROLES)
PAGES = [
    ("县领导小组", "county/overview.py", "总览", "dashboard", "overview"),
    ("县领导小组", "county/drilldown.py", "逐级查看", "account_tree", "drilldown"),
    ("县领导小组", "county/milestones.py", "里程碑", "flag", "milestones"),
    ("县领导小组", "county/whatif.py", "假设评分", "calculate", "whatif"),
    ("县领导小组", "county/entry.py", "数据填报", "edit_note", "entry"),
    ("县领导小组", "county/phone_entry.py", "手机填报", "smartphone", "phone_entry"),
    ("县领导小组", "county/awards.py", "评选审定", "workspace_premium", "awards"),
    ("县领导小组", "county/stations.py", "站点编号", "pin", "stations"),
    ("县领导小组", "county/meetings.py", "会商记录", "groups", "meetings"),
    ("县领导小组", "county/trainees.py", "学员档案", "school", "trainees"),
    ("县领导小组", "county/funds.py", "资金记录", "payments", "funds"),
    ("县领导小组", "county/officers.py", "信息员考核", "assignment_ind", "officers"),
    ("试点验收", "acceptance/cases.py", "验收案件", "assignment", "acceptance"),
    ("试点验收", "acceptance/check.py", "验收检查", "fact_check", "acceptance"),
    ("市级督导", "supervision/board.py", "试点进度", "view_timeline", "supervision"),
    ("市级督导", "supervision/scorecard.py", "县区评分", "leaderboard", "supervision"),
    ("市级督导", "supervision/laggards.py", "落后督办", "priority_high", "supervision"),
    ("市级督导", "supervision/resettlement.py", "银川移民区", "cell_tower", "supervision"),
    ("市级督导", "supervision/circular.py", "月度通报", "campaign", "supervision"),
    ("市级督导", "supervision/events.py", "重要情况报告", "report", "supervision"),
    ("方案", "policy/programs.py", "政策文件与规则", "description", "programs"),
    ("系统", "admin/login.py", "登录", "login", "login"),
    ("系统", "admin/report_fix.py", "月报更正", "edit", "report_fix"),
    ("系统", "admin/households.py", "一户一档", "family_restroom", "households"),
    ("系统", "admin/audit.py", "审计日志", "history", "audit"),
    ("系统", "admin/accounts.py", "账户管理", "manage_accounts", "accounts"),
]
