"""The memory limit read from cgroup files (v2, v1, none) and /proc, on made-up trees."""

from __future__ import annotations

from pathlib import Path

from recommender.host import HIGH_SHARE, Memory, read_memory


def _proc(root: Path, *, rss_kb: int = 500_000, total_kb: int = 8_000_000) -> Path:
    (root / "proc" / "self").mkdir(parents=True)
    (root / "proc" / "self" / "status").write_text(
        f"Name:\tpython\nVmPeak:\t 900000 kB\nVmRSS:\t {rss_kb} kB\n", encoding="ascii"
    )
    (root / "proc" / "meminfo").write_text(
        f"MemTotal:       {total_kb} kB\nMemFree: 1 kB\n", encoding="ascii"
    )
    return root / "proc"


def test_a_cgroup_v2_limit_comes_first(tmp_path):
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    (cgroup / "memory.max").write_text("2147483648\n", encoding="ascii")
    memory = read_memory(cgroup=cgroup, proc=_proc(tmp_path))
    assert memory == Memory(2_147_483_648, "cgroup v2 memory.max", 500_000 * 1024)
    assert memory.describe() == "0.51 GB of 2.15 GB (cgroup v2 memory.max), 24%"
    assert not memory.high


def test_no_v2_limit_falls_to_v1_then_to_the_machine(tmp_path):
    cgroup = tmp_path / "cgroup"
    (cgroup / "memory").mkdir(parents=True)
    (cgroup / "memory.max").write_text("max\n", encoding="ascii")
    (cgroup / "memory" / "memory.limit_in_bytes").write_text("1073741824\n", encoding="ascii")
    proc = _proc(tmp_path, rss_kb=900_000)
    limited = read_memory(cgroup=cgroup, proc=proc)
    assert limited.limit_bytes == 1_073_741_824
    assert limited.limit_source == "cgroup v1 memory.limit_in_bytes"
    assert limited.share is not None
    assert limited.share > HIGH_SHARE
    assert limited.high
    # v1 writes "no limit" as a number near 2**63: the machine's memory is the limit then.
    (cgroup / "memory" / "memory.limit_in_bytes").write_text(
        "9223372036854771712\n", encoding="ascii"
    )
    unlimited = read_memory(cgroup=cgroup, proc=proc)
    assert unlimited.limit_bytes == 8_000_000 * 1024
    assert unlimited.limit_source == "the machine's MemTotal"


def test_nothing_readable_says_so(tmp_path):
    memory = read_memory(cgroup=tmp_path / "none", proc=tmp_path / "none")
    assert memory == Memory(None, "unknown", None)
    assert memory.share is None
    assert not memory.high
    assert memory.describe() == "unknown in use; no memory limit could be read"
