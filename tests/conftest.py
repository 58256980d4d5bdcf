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
