"""Who acts: a :class:`Principal` (user name, role, region) — never a plain ``str``.

Every read and write that scope decides takes a Principal. A signed-in account is a
Principal of one of :data:`ROLES`; imports, migrations, the demo generator and command-line
writes that name no account act as a *system* principal (:data:`SYSTEM`, or
:func:`system` with the name the audit log should keep), which scope does not restrict.
A bare ``str`` is refused by scope and by the store (:func:`require`): a page or command
that hands over the user's name instead of the user performs no unchecked write.

This module depends on nothing else in ruralcore but the errors, so every layer may use it.
"""
from __future__ import annotations

from dataclasses import dataclass

from ruralcore.kernel.errors import PermissionDenied

ROLES = {
    "city_supervisor": "市级督导",
    "county_admin": "县级管理员",
    "township_officer": "乡镇干部",
    "village_reporter": "村级填报员",
    "inspector": "验收人员",
    "auditor": "审计员",
}
SYSTEM_ROLE = "system"


@dataclass(frozen=True, slots=True)
class Principal:
    """The acting user: ``name`` (what the audit log and ``submitted_by`` keep), ``role``
    (one of :data:`ROLES`, or ``"system"``) and ``region`` (the region code it holds;
    empty for the auditor and the system)."""

    name: str
    role: str
    region: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise TypeError(f"Principal name must be a str, not {type(self.name).__name__}")
        if self.role != SYSTEM_ROLE and self.role not in ROLES:
            raise PermissionDenied(f"未知角色“{self.role}”，应为：{'、'.join(ROLES)}")
        object.__setattr__(self, "region", str(self.region or ""))

    @property
    def username(self) -> str:
        return self.name

    @property
    def is_system(self) -> bool:
        return self.role == SYSTEM_ROLE

    @property
    def role_label(self) -> str:
        return "系统" if self.is_system else ROLES[self.role]

    def __str__(self) -> str:  # shown text: the name (never used as the principal itself)
        return self.name


def system(name: str = "系统") -> Principal:
    """A system principal (imports, migrations, the demo, command-line writes that name no
    account) recorded in the audit log as ``name``; scope does not restrict it."""
    return Principal(str(name), SYSTEM_ROLE, "")


SYSTEM = system()


def require(user) -> Principal:
    """``user`` when it is a Principal; TypeError for anything else (a bare user name
    would otherwise pass as an unchecked writer)."""
    if not isinstance(user, Principal):
        raise TypeError(f"expected a ruralcore.kernel.principal.Principal (use principal.SYSTEM for system writes), "
                        f"got {type(user).__name__} {user!r}")
    return user


def is_person(user) -> bool:
    """A signed-in account's principal (scope applies), not the system."""
    return isinstance(user, Principal) and not user.is_system


def restricted(user) -> bool:
    """Whether scope restricts ``user``: a signed-in account's principal (True); the system
    principal or nobody (None) is not restricted (False); a bare str is refused (TypeError)."""
    return user is not None and not require(user).is_system
