import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def mirror() -> pathlib.Path:
    """The local data mirror ($FLAWS_MIRROR); tests that read real data need it."""
    m = os.environ.get("FLAWS_MIRROR")
    if not m or not pathlib.Path(m).is_dir():
        pytest.skip("FLAWS_MIRROR is not set to the data mirror (make test sets it)")
    return pathlib.Path(m)


@pytest.fixture(scope="session")
def codegen_samples(mirror):
    """``pick(pairs)`` -> (samples, committed): real CodeGen-16B samples (from
    :mod:`flaws.samples`) for ``(task_id, sample_index)`` pairs, and their rows of the
    committed ``data/processed/outcomes.csv.gz`` as ``to_csv_bytes`` writes them."""
    from flaws.execute.outcomes import read_outcomes, to_csv_bytes
    from flaws.samples import load

    df = load("codet-codegen16b", progress=False)
    committed = read_outcomes(ROOT / "data" / "processed" / "outcomes.csv.gz")
    committed = committed[committed["source_id"] == "codet-codegen16b"]

    def pick(pairs):
        want = set(pairs)
        sel = df[[(t, i) in want for t, i in zip(df["task_id"], df["sample_index"])]]
        assert len(sel) == len(want), "a picked sample is not in the set"
        keys = ["source_id", "model", "prompt_style", "task_id", "sample_index"]
        rows = committed.merge(sel[keys], on=keys, how="inner").to_dict("records")
        assert len(rows) == len(sel)
        for r in rows:
            for k in ("first_failed_base", "first_failed_plus"):
                v = r[k]
                r[k] = None if v is None or v != v or str(v) == "<NA>" else int(v)
            r["temperature"] = float(r["temperature"])
        return sel.to_dict("records"), to_csv_bytes(rows)

    return pick
