"""A file written from views of a mapped file (search.words' kept blocks in a merge) holds
exactly those bytes, written in slices with the mapping's pages let go in between."""

from __future__ import annotations

import mmap
import os

from tongket.store.archive import file_parts
from tongket.store.archive.storage import atomic_write_bytes


def test_mapped_views_are_written_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(file_parts, "SLICE", 4096)  # many slices from a small file
    source = tmp_path / "old"
    data = os.urandom(5 * 4096 + 123)
    source.write_bytes(data)
    with open(source, "rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)
    target = tmp_path / "new"
    atomic_write_bytes(target, [b"head", view[100:], view[:50], b"tail"], fsync=False)
    assert target.read_bytes() == b"head" + data[100:] + data[:50] + b"tail"
    assert mapped[:] == data  # the mapping still reads the file after its pages were let go
    view.release()
    mapped.close()


def test_a_writable_buffer_is_written_as_it_is(tmp_path):
    target = tmp_path / "new"
    atomic_write_bytes(target, [bytearray(b"abc"), memoryview(b"def")], fsync=False)
    assert target.read_bytes() == b"abcdef"
