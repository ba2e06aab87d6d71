"""Generated names. Every one carries 演示 so nobody mistakes demo data for real data."""
from __future__ import annotations

import numpy as np

MARK = "演示"
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦蒙覃吴")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红春梅")


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """“演示·张伟” style names, vectorised."""
    s = np.asarray(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), n)]
    g1 = np.asarray(GIVEN, dtype=object)[rng.integers(0, len(GIVEN), n)]
    g2 = np.asarray(GIVEN + [""] * 10, dtype=object)[rng.integers(0, len(GIVEN) + 10, n)]
    return (MARK + "·") + s + g1 + g2


def numbered(prefix, kind: str, seq: np.ndarray, width: int = 3) -> np.ndarray:
    """prefix + 演示 + kind + zero-padded number, e.g. 花垣镇演示村007 (prefix may be an array)."""
    num = np.char.zfill(np.asarray(seq).astype(str), width).astype(object)
    return np.asarray(prefix, dtype=object) + f"{MARK}{kind}" + num
