"""scikit-learn golden values for the random forest (test/models/forest.golden.test.ts).

    npm run build && /usr/bin/python3 test/golden/forest_sklearn.py   (from the project root;
    Debian python3-sklearn 1.2.1, numpy 1.24)

Python is NOT needed in CI: forest_sklearn.json is committed next to this script.

For every real-data LEAS problem of bench/forest_cases.ts (pie 1985 -> 1991 and sibuyan
1997 -> 2011: per class, expanded to k vs not, the seeded stratified sample with 30 % held out;
dumped by forest_samples.mjs), trains RandomForestClassifier(n_estimators=50,
max_features=floor(sqrt(D)), min_samples_leaf=1, bootstrap=True, n_jobs=1) with random_state
0..4 and records the hold-out accuracy (predict) and AUC (roc_auc_score of predict_proba[:, 1]),
each per seed and their mean.
"""
import json
import math
import os
import subprocess
import tempfile

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TREES = 50
SEEDS = [0, 1, 2, 3, 4]


def load(d, stem, part, D):
    X = np.fromfile(os.path.join(d, f"{stem}_{part}_X.f32"), dtype="<f4").reshape(-1, D)
    y = np.fromfile(os.path.join(d, f"{stem}_{part}_y.u8"), dtype=np.uint8)
    return X, y


def main():
    out = {"sklearn": sklearn.__version__, "trees": TREES, "seeds": SEEDS, "problems": []}
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["node", os.path.join(HERE, "forest_samples.mjs"), d], check=True, cwd=ROOT)
        with open(os.path.join(d, "problems.json")) as f:
            problems = json.load(f)
        for p in problems:
            stem = f"{p['case']}_{p['code']}"
            Xt, yt = load(d, stem, "train", p["D"])
            Xh, yh = load(d, stem, "holdout", p["D"])
            mtry = max(1, int(math.floor(math.sqrt(p["D"]))))
            acc, auc = [], []
            for s in SEEDS:
                rf = RandomForestClassifier(n_estimators=TREES, max_features=mtry, min_samples_leaf=1, bootstrap=True, n_jobs=1, random_state=s)
                rf.fit(Xt, yt)
                acc.append(float((rf.predict(Xh) == yh).mean()))
                auc.append(float(roc_auc_score(yh, rf.predict_proba(Xh)[:, 1])))
            out["problems"].append({
                "case": p["case"], "code": p["code"], "D": p["D"], "mtry": mtry, "train": p["train"], "holdout": p["holdout"],
                "accuracy": acc, "auc": auc, "meanAccuracy": float(np.mean(acc)), "meanAuc": float(np.mean(auc)),
            })
            print(stem, out["problems"][-1]["meanAccuracy"], out["problems"][-1]["meanAuc"])
    with open(os.path.join(HERE, "forest_sklearn.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
