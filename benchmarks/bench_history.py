"""Time and memory of importing a long extended streaming history (synthetic, made in memory).

Run: ``python benchmarks/bench_history.py [--years 12] [--plays-per-year 25000]``

Builds a ``my_spotify_data.zip`` like Spotify's (one ``Streaming_History_Audio_*.json`` per
year, every field Spotify writes) from made-up songs, then times ``import_history`` on it
beside the bare ``json.loads`` of the same members, so the ratio shows what aggregation adds.
Peak memory is what Python allocated during the import (``tracemalloc``, a second run; the
uploaded zip's own bytes are not counted).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recommender.seeds.history import import_history

ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def synthetic_zip(years: int, plays_per_year: int, rng: random.Random) -> tuple[bytes, int]:
    songs = [
        (
            f"Made-up Song {i} - Remastered",
            f"Made-up Artist {i % 900}",
            "".join(rng.choice(ALPHABET) for _ in range(22)),
        )
        for i in range(20_000)
    ]
    buffer = io.BytesIO()
    unpacked = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for year in range(years):
            rows = []
            for _ in range(plays_per_year):
                title, artist, track = songs[min(int(rng.paretovariate(0.6)) - 1, len(songs) - 1)]
                rows.append(
                    {
                        "ts": f"{2012 + year}-06-01T12:00:00Z",
                        "platform": "android",
                        "ms_played": rng.randint(0, 300_000),
                        "conn_country": "DE",
                        "ip_addr": "192.0.2.1",
                        "master_metadata_track_name": title,
                        "master_metadata_album_artist_name": artist,
                        "master_metadata_album_album_name": "Made-up Album",
                        "spotify_track_uri": f"spotify:track:{track}",
                        "episode_name": None,
                        "episode_show_name": None,
                        "spotify_episode_uri": None,
                        "reason_start": "trackdone",
                        "reason_end": "trackdone",
                        "shuffle": False,
                        "skipped": False,
                        "offline": False,
                        "offline_timestamp": 0,
                        "incognito_mode": False,
                    }
                )
            data = json.dumps(rows).encode()
            unpacked += len(data)
            name = f"Spotify Extended Streaming History/Streaming_History_Audio_{2012 + year}.json"
            archive.writestr(name, data)
    return buffer.getvalue(), unpacked


def bare_json_seconds(data: bytes) -> float:
    start = time.perf_counter()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            json.loads(archive.read(info))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=12)
    parser.add_argument("--plays-per-year", type=int, default=25_000)
    args = parser.parse_args()
    data, unpacked = synthetic_zip(args.years, args.plays_per_year, random.Random(7))
    plays = args.years * args.plays_per_year
    baseline = bare_json_seconds(data)
    start = time.perf_counter()
    result = import_history([("my_spotify_data.zip", data)])
    seconds = time.perf_counter() - start
    tracemalloc.start()
    import_history([("my_spotify_data.zip", data)])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"zip {len(data) / 1e6:.1f} MB, {unpacked / 1e6:.0f} MB unpacked, {plays:,} plays, "
        f"{len(result.plays):,} songs kept"
    )
    print(f"import_history:   {seconds:.2f} s")
    print(f"bare json.loads:  {baseline:.2f} s   (ratio {seconds / baseline:.1f}x)")
    largest = unpacked / args.years
    print(f"peak memory of the import: {peak / 1e6:.0f} MB (largest member {largest / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
