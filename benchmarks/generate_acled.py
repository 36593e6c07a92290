"""Generate a synthetic ACLED-style CSV (ACLED's columns, made-up rows) for the scale benchmarks.

    python benchmarks/generate_acled.py 1000000 benchmarks/data/acled_1m.csv

Rows are random but shaped like a Myanmar export: five years of dates in both of ACLED's
date forms, numeric and text actor-type codes, associated actors joined with ';' on a third of
rows, ten sub-event types, a few dozen actors and locations, and a notes column of prose length.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from kachin_analysis.interop import ACLED_COLUMNS

SUB_EVENTS = [
    ("Battles", "Armed clash"),
    ("Battles", "Non-state actor overtakes territory"),
    ("Battles", "Government regains territory"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Violence against civilians", "Attack"),
    ("Strategic developments", "Agreement"),
    ("Strategic developments", "Non-violent transfer of territory"),
    ("Protests", "Peaceful protest"),
]
WEIGHTS = np.array([40, 6, 3, 14, 12, 5, 10, 1, 2, 7], dtype=float)
STATE = ["Military Forces of Myanmar (2021-)", "Police Forces of Myanmar (2021-)"]
REBELS = [
    "KIA: Kachin Independence Army",
    "TNLA: Ta'ang National Liberation Army",
    "AA: Arakan Army",
    "MNDAA: Myanmar National Democratic Alliance Army",
    "KNLA: Karen National Liberation Army",
    "ABSDF: All Burma Students' Democratic Front",
    "BPLA: Bamar People's Liberation Army",
]
MILITIA = [
    f"PDF: People's Defense Force - {t}"
    for t in ("Kachin", "Sagaing", "Mandalay", "Magway", "Bago", "Shan", "Chin", "Karenni", "Yangon", "Mon")
] + ["Pyu Saw Htee"]
ADMIN1 = ["Kachin", "Shan-North", "Sagaing", "Mandalay", "Magway", "Rakhine", "Kayin", "Chin", "Bago", "Mon"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def generate(n: int, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 5 * 365, n)
    dates = np.datetime64("2021-02-01") + days.astype("timedelta64[D]")
    iso = np.datetime_as_string(dates)
    dmy_mask = rng.random(n) < 0.5
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    months = dates.astype("datetime64[M]").astype(int) % 12
    mdays = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    dmy = np.char.add(
        np.char.add(np.char.add(np.char.zfill(mdays.astype(str), 2), " "), np.char.add(np.array(MONTHS)[months], " ")),
        years.astype(str),
    )
    event_date = np.where(dmy_mask, dmy, iso)
    kind = rng.choice(len(SUB_EVENTS), n, p=WEIGHTS / WEIGHTS.sum())
    etype = np.array([e for e, _ in SUB_EVENTS])[kind]
    sub = np.array([s for _, s in SUB_EVENTS])[kind]
    pool = np.array(STATE + REBELS + MILITIA)
    a1 = rng.integers(0, len(pool), n)
    a2 = rng.integers(0, len(pool), n)
    inter_of = np.array([1] * len(STATE) + [2] * len(REBELS) + [3] * len(MILITIA))
    text_codes = np.array(["", "State forces", "Rebel group", "Political militia"])
    text_mask = rng.random(n) < 0.5
    inter1 = np.where(text_mask, text_codes[inter_of[a1]], inter_of[a1].astype(str))
    inter2 = np.where(text_mask, text_codes[inter_of[a2]], inter_of[a2].astype(str))
    assoc = np.where(
        rng.random(n) < 0.33,
        np.char.add(np.char.add(pool[rng.integers(0, len(pool), n)], "; "), pool[rng.integers(0, len(pool), n)]),
        "",
    )
    admin1 = np.array(ADMIN1)[rng.integers(0, len(ADMIN1), n)]
    loc_ids = rng.integers(0, 400, n)
    cols = {
        "event_id_cnty": np.char.add("MMR", np.arange(n).astype(str)),
        "event_date": event_date,
        "year": years.astype(str),
        "time_precision": rng.choice(["1", "2", "3"], n, p=[0.85, 0.1, 0.05]),
        "disorder_type": np.where(etype == "Strategic developments", "Strategic developments", "Political violence"),
        "event_type": etype,
        "sub_event_type": sub,
        "actor1": pool[a1],
        "assoc_actor_1": assoc,
        "inter1": inter1,
        "actor2": pool[a2],
        "assoc_actor_2": np.full(n, ""),
        "inter2": inter2,
        "interaction": np.char.add(np.char.add(inter1, "-"), inter2),
        "civilian_targeting": np.where(etype == "Violence against civilians", "Civilian targeting", ""),
        "iso": np.full(n, "104"),
        "region": np.full(n, "Southeast Asia"),
        "country": np.full(n, "Myanmar"),
        "admin1": admin1,
        "admin2": np.char.add("District ", (loc_ids // 20).astype(str)),
        "admin3": np.char.add("Township ", (loc_ids // 4).astype(str)),
        "location": np.char.add("Place ", loc_ids.astype(str)),
        "latitude": np.round(rng.uniform(10, 28, n), 4).astype(str),
        "longitude": np.round(rng.uniform(93, 101, n), 4).astype(str),
        "geo_precision": rng.choice(["1", "2", "3"], n, p=[0.6, 0.3, 0.1]),
        "source": rng.choice(["Irrawaddy", "Myanmar Now", "DVB", "RFA", "Mizzima; Khit Thit Media"], n),
        "source_scale": rng.choice(["National", "Subnational", "Regional"], n),
        "notes": np.char.add(
            "On this date, synthetic forces clashed near a synthetic village. [size=no report] ", loc_ids.astype(str)
        ),
        "fatalities": rng.poisson(0.8, n).astype(str),
        "tags": np.full(n, ""),
        "timestamp": np.full(n, "1700000000"),
    }
    return pa.table({c: pa.array(cols[c].astype(object), type=pa.string()) for c in ACLED_COLUMNS})


def main(argv: list[str]) -> None:
    n = int(argv[1]) if len(argv) > 1 else 1_000_000
    out = Path(argv[2]) if len(argv) > 2 else Path(__file__).parent / "data" / f"acled_{n}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(generate(n), out)
    print(f"wrote {n:,} synthetic ACLED-style rows to {out}")


if __name__ == "__main__":
    main(sys.argv)
