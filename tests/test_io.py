"""flaws._io: the one atomic writer; nothing half-written is left on an exception."""

import os
import stat

import pytest

from flaws._io import atomic_path, atomic_write, write_if_changed


def test_atomic_write_bytes_and_text(tmp_path):
    p = tmp_path / "sub" / "a.txt"
    assert atomic_write(p, b"one\n") == p
    assert p.read_bytes() == b"one\n"
    atomic_write(p, "två\n")
    assert p.read_bytes() == "två\n".encode()
    assert os.listdir(p.parent) == ["a.txt"]


def test_exception_leaves_old_file_and_no_temporary(tmp_path):
    p = tmp_path / "a.bin"
    p.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(p) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("writer died")
    assert p.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.bin"]


def test_exception_creates_nothing(tmp_path):
    p = tmp_path / "new.png"
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(p, suffix=".png") as tmp:
            assert tmp.name.endswith(".png") and tmp.parent == tmp_path
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []


def test_failing_data_leaves_nothing(tmp_path):
    with pytest.raises(TypeError):
        atomic_write(tmp_path / "x", 3)  # not bytes
    assert os.listdir(tmp_path) == []


def test_mode(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "private", b"k", mode=0o600)
        atomic_write(tmp_path / "public", b"k")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "private").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "public").stat().st_mode) == 0o644


def test_write_if_changed_keeps_the_file(tmp_path):
    p = tmp_path / "f.svg"
    assert write_if_changed(p, b"x") is True
    ino = p.stat().st_ino
    assert write_if_changed(p, b"x") is False
    assert p.stat().st_ino == ino
    assert write_if_changed(p, b"y") is True and p.read_bytes() == b"y"
