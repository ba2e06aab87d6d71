"""Test data for acceptance tests: complete 融水 standard stations (附件2's equipment, 六有,
one officer with 48 training hours), numbered by ruralcore.rules.stations from 9001 upward."""
from __future__ import annotations

import itertools

from ruralcore.kernel.principal import system

_seq = itertools.count(9001)


def add_station(engine, user: str = "测试·录入员", **overrides) -> str:
    """Insert a complete standard station of 融水 (numbered by ruralcore.rules.stations) and return its number."""
    user = system(user)  # test data is written by the system
    from ruralcore.rules import stations
    from ruralcore.rules.programs import load_program
    from ruralcore.store import write
    from ruralcore.store.models import Officer, OfficerTraining, Station, StationEquipment

    prog = load_program("rongshui-2019")
    number = stations.station_code("融水苗族自治县", "standard", next(_seq))
    values = dict(number=number, program=prog.id, township="450225T01", village="测试村", type="standard",
                  service_public=True, service_convenience=True, service_ecommerce=True, service_training=True,
                  broadband_mbps=50, has_site=True, has_staff=True, has_equipment=True, has_broadband=True,
                  has_webpage=True, has_sustainable_ops=True, status="built")
    values.update({k: v for k, v in overrides.items() if k not in ("equipment", "hours")})
    with engine.begin() as conn:
        write.insert(conn, Station, values, user)
        for it in prog.checklist("equipment_standard").items:
            qty = overrides.get("equipment", {}).get(it.code, it.quantity or 1)
            write.insert(conn, StationEquipment, {"station": number, "item": it.code, "quantity": qty}, user)
        off = write.insert(conn, Officer, {"station": number, "name": "测试·张敏", "registered": True}, user)
        write.insert(conn, OfficerTraining, {"officer": off.id, "year": 2019, "hours": overrides.get("hours", 48)}, user)
    return number
