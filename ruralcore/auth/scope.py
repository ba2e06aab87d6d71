"""Who may read and write what: a Principal (name, role, region code) decided on the region
tree. A region is inside the principal's region when the principal's region is it or one of
its ancestors.

Every decision takes a :class:`~ruralcore.kernel.principal.Principal` (``Actor`` is the same
type). The system principal (``principal.SYSTEM`` or ``principal.system(name)``: imports,
migrations, the demo, command-line writes naming no account) is not restricted; a bare
``str`` is refused (TypeError), so handing over a user's name instead of the user never
makes an unchecked write.

The policy (which role writes which table, reads the logs) is :mod:`ruralcore.rules.rights` and
the pages each role opens :mod:`ruralcore.auth.pages` (no database); applying it to stored rows and the stored region
tree is :mod:`ruralcore.store.guard`. This module is the one place callers import both from.
"""
from __future__ import annotations

from ruralcore.kernel.principal import ROLES, SYSTEM, Principal, is_person, require, restricted, system  # noqa: F401
from ruralcore.auth.pages import ALL_ROLES, DATA_WRITERS, PAGE_ROLES, PUBLIC_PAGES, may_open, page_refusal  # noqa: F401
from ruralcore.rules.rights import (  # noqa: F401  (re-exported: the policy)
    COUNTY_GRANTABLE, HOUSEHOLD_TABLES, LOG_READERS, LOG_TABLES, PII_ROLES, READS_EVERYTHING, REGIONAL_TABLES,
    UNREGIONED_WRITERS, WRITES, ancestors, can_read, can_write, can_write_table, file_tree, inside, keep_visible,
    sees_pii)
from ruralcore.store.guard import (  # noqa: F401  (re-exported: the policy applied to the store)
    _lookup, _name, check_rows, check_write, refuse, region_tree, row_regions, visible_programs, visible_regions)

Actor = Principal  # the former name; a Principal is not a str


def is_actor(user) -> bool:
    """Whether scope restricts ``user`` (see :func:`ruralcore.kernel.principal.restricted`)."""
    return restricted(user)


def user_name(user) -> str:
    """The plain name written into the audit log (a Principal's; a bare str is refused)."""
    return require(user).name
