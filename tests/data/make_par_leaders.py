"""Write tests/data/par_leaders.csv: synthetic PAR leaders' answers for the R golden values.

Four groups (invited N: 60, 80, 150, 200; answering 25, 40, 70, 90), the 21 criteria of
questionnaires/par-leaders-2026.yaml answered a-e (e = "không đánh giá được") or left blank,
with group-specific leanings.  Run: python tests/data/make_par_leaders.py
"""

from pathlib import Path

import numpy as np
import pandas as pd

CRITERIA = ["cd1", "cd2", "th1", "th2", "tt1", "tt2", "tt3", "tc1", "tc2", "cv1", "cv2", "cv3",
            "tcc1", "tcc2", "cq1", "cq2", "cq3", "td1", "td2", "td3", "td4"]
GROUPS = {"dai_bieu_hdnd": (60, 25), "lanh_dao_so": (80, 40), "truong_phong": (150, 70),
          "lanh_dao_xa": (200, 90)}
LEANING = {"dai_bieu_hdnd": [.30, .40, .15, .05, .08, .02], "lanh_dao_so": [.45, .35, .10, .02, .06, .02],
           "truong_phong": [.35, .35, .15, .05, .08, .02], "lanh_dao_xa": [.20, .35, .25, .10, .08, .02]}


def main(seed: int = 20261129) -> None:
    rng = np.random.default_rng(seed)
    rows = []
    for group, (invited, answered) in GROUPS.items():
        for _ in range(answered):
            choices = rng.choice(["a", "b", "c", "d", "e", ""], size=len(CRITERIA), p=LEANING[group])
            rows.append({"group": group, "invited": invited, **dict(zip(CRITERIA, choices, strict=False))})
    pd.DataFrame(rows).to_csv(Path(__file__).with_name("par_leaders.csv"), index=False)


if __name__ == "__main__":
    main()
