"""The app's pages, by section: plain data, so tests and the README check read it without
running Streamlit.

Page files live in section folders (county/, acceptance/, supervision/, policy/, admin/),
never in a folder named ``pages/`` beside app.py: Streamlit would then first run the app as
an old-style multipage app, in which every other page is unknown, and show its English
“Page not found” over the first page opened by link after a server start."""
from ruralcore.auth import pages as _registry

PRODUCT = "数字乡村建设看板"  # the browser tab and the login page name it
PRODUCT_LINE = "县、市两级推进数字乡村建设：目标完成、计分排名、期限督办、试点验收，每项可追溯到文件条款。"
HOME = "overview"  # URL path of the page that opens after signing in when no other was asked for
# A role's own opening page: the village reporter fills the month on a phone.
ROLE_HOME = {"village_reporter": "phone_entry"}

# (section, file under dashboards/, title, material icon, page key): the registry
# ruralcore.auth.pages.PAGES, where each page is declared once, in the shape the app reads.
PAGES = [(p.section, p.path, p.title, p.icon, p.key) for p in _registry.PAGES]
