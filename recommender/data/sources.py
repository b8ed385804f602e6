"""The public datasets the app downloads on first start: where they live and what they hold.

Nothing here is fetched at import time. ``selected_sources`` applies ``RECOMMENDER_SOURCES``
and ``RECOMMENDER_MIRROR_URL`` so the downloader only ever sees the URLs it should try.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from recommender.data.adapters import CSV_ADAPTERS, SHARED_FEATURES

if TYPE_CHECKING:
    from recommender.settings import Settings

# No checksums are declared: the originals could not be fetched when this was written, so a
# hash here would be invented. Files are verified by header and parsed rows instead, and the
# sha256 of what was downloaded is recorded so later corruption is caught (fetch.py).
MIN_ROWS: Final = 1_000

# The published headers, in the files' own order; the audio-feature run is the same in all.
_KAGGLE_COLUMNS: Final = (
    "track_id",
    "artists",
    "album_name",
    "track_name",
    "popularity",
    "duration_ms",
    "explicit",
    *(c for c in SHARED_FEATURES if c != "duration_ms"),
    "time_signature",
    "track_genre",
)
_TIDYTUESDAY_COLUMNS: Final = (
    "track_id",
    "track_name",
    "track_artist",
    "track_popularity",
    "track_album_id",
    "track_album_name",
    "track_album_release_date",
    "playlist_name",
    "playlist_id",
    "playlist_genre",
    "playlist_subgenre",
    *SHARED_FEATURES,
)
_HIT_PREDICTOR_COLUMNS: Final = (
    "track",
    "artist",
    "uri",
    *SHARED_FEATURES,
    "time_signature",
    "chorus_hit",
    "sections",
    "target",
)


@dataclass(frozen=True, slots=True)
class Archive:
    """A zip download that holds a source file as one of its members.

    ``name`` is the zip's public name (what a mirror serves it under).
    """

    url: str
    name: str


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file of a source: its public name (also its name in the cache) and its URLs.

    ``urls`` (the file itself) are tried in order, then ``archives`` (zips holding a member of
    that name, unpacked on arrival); ``approx_bytes`` only weights the progress bar.
    """

    name: str
    urls: tuple[str, ...]
    approx_bytes: int
    archives: tuple[Archive, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    """A public dataset of real Spotify tracks with audio features.

    ``kind`` is the catalog adapter that reads its files (``catalog.detect_kind`` must
    recognise each downloaded file as this kind); ``columns`` are the header columns a
    downloaded file must contain before it is accepted.
    """

    name: str
    title: str
    licence: str
    attribution: str
    homepage: str
    kind: str
    columns: tuple[str, ...]
    files: tuple[SourceFile, ...]
    # Selected when RECOMMENDER_SOURCES is unset.
    default: bool = True
    # Rows of the public files (an upper bound of the distinct tracks): sizes the memory
    # budget before anything is downloaded (recommender/budget.py).
    approx_tracks: int = 0
    # Small enough to serve first while the big sources are prepared (a staged start).
    quick: bool = True

    @property
    def approx_bytes(self) -> int:
        """Approximate download size of all files of this source."""
        return sum(f.approx_bytes for f in self.files)


_RAW_GITHUB: Final = "https://raw.githubusercontent.com"
_TIDYTUESDAY_PATH: Final = (
    "rfordatascience/tidytuesday/{branch}/data/2020/2020-01-21/spotify_songs.csv"
)
_HIT_PREDICTOR_REPO: Final = (
    f"{_RAW_GITHUB}/AlexAlvarez02/Capstone_Billboard-s_Top_100_Predictor/main"
)
# Sizes of the public files (SOURCES.md); only used to weight progress across files.
_HIT_PREDICTOR_SIZES: Final = {
    "60s": 1_420_386,
    "70s": 1_266_478,
    "80s": 1_116_459,
    "90s": 890_138,
    "00s": 944_560,
    "10s": 1_025_531,
}

_SMALL_SOURCES: Final[tuple[Source, ...]] = (
    Source(
        name="kaggle",
        title='"Spotify Tracks Dataset" (~114k tracks, 114 genres)',
        licence="BSD (Hugging Face dataset card)",
        attribution="maharshipandya, Spotify Tracks Dataset (Kaggle / Hugging Face)",
        homepage="https://huggingface.co/datasets/maharshipandya/spotify-tracks-dataset",
        kind="kaggle",
        columns=_KAGGLE_COLUMNS,
        files=(
            SourceFile(
                name="dataset.csv",
                urls=(
                    "https://huggingface.co/datasets/maharshipandya/spotify-tracks-dataset"
                    "/resolve/main/dataset.csv",
                ),
                approx_bytes=20_100_000,
            ),
        ),
        approx_tracks=114_000,
    ),
    Source(
        name="tidytuesday",
        title='TidyTuesday 2020-01-21 "Spotify Songs" (32,833 rows, 471 playlists)',
        licence="MIT (rfordatascience/tidytuesday)",
        attribution="R for Data Science online learning community, TidyTuesday; "
        "data gathered by Kaylin Pavlik with spotifyr",
        homepage="https://github.com/rfordatascience/tidytuesday/tree/main/data/2020/2020-01-21",
        kind="tidytuesday",
        columns=_TIDYTUESDAY_COLUMNS,
        files=(
            SourceFile(
                name="spotify_songs.csv",
                urls=tuple(
                    f"{_RAW_GITHUB}/{_TIDYTUESDAY_PATH.format(branch=branch)}"
                    for branch in ("master", "main")
                ),
                approx_bytes=7_971_379,
            ),
        ),
        approx_tracks=32_833,
    ),
    Source(
        name="hitpredictor",
        title='"The Spotify Hit Predictor Dataset (1960-2019)" (41,106 rows)',
        licence="GPL-3.0 (downloaded from its repository, never redistributed here)",
        attribution="Farooq Ansari, The Spotify Hit Predictor Dataset; "
        "copy in AlexAlvarez02/Capstone_Billboard-s_Top_100_Predictor",
        homepage="https://github.com/AlexAlvarez02/Capstone_Billboard-s_Top_100_Predictor",
        kind="hit_predictor",
        columns=_HIT_PREDICTOR_COLUMNS,
        files=tuple(
            SourceFile(
                name=f"dataset-of-{decade}.csv",
                urls=(f"{_HIT_PREDICTOR_REPO}/dataset-of-{decade}.csv",),
                approx_bytes=size,
            )
            for decade, size in _HIT_PREDICTOR_SIZES.items()
        ),
        approx_tracks=41_106,
    ),
)

# For the big sources no published header was at hand: a download must carry the columns the
# adapter recognises its format by.
_ADAPTER_COLUMNS: Final = {adapter.kind: adapter.columns for adapter in CSV_ADAPTERS}
_KAGGLE_DOWNLOAD: Final = "https://www.kaggle.com/api/v1/datasets/download"

# songs12m is on by default: it holds the most of what listeners play, and a staged start
# within the host's memory budget (recommender/budget.py) serves the small sources first and
# leaves it out where it does not fit. spotify1m (a second 1.2M) stays a choice.
SOURCES: Final[tuple[Source, ...]] = (
    *_SMALL_SOURCES,
    Source(
        name="songs12m",
        title='"Spotify 1.2M+ Songs" tracks_features.csv (~1.2M tracks, album crawls 2017-2020)',
        licence="not stated on the public copies",
        attribution="Rodolfo Figueroa, Spotify 1.2M+ Songs (Kaggle); copy in "
        "RecSysTUM/Million_Song_Dataset on the Hugging Face hub (not the Echo Nest dataset)",
        homepage="https://www.kaggle.com/datasets/rodolfofigueroa/spotify-12m-songs",
        kind="tracks_1_2m",
        columns=_ADAPTER_COLUMNS["tracks_1_2m"],
        files=(
            SourceFile(
                name="tracks_features.csv",
                urls=(
                    "https://huggingface.co/datasets/RecSysTUM/Million_Song_Dataset"
                    "/resolve/main/tracks_features.csv",
                ),
                approx_bytes=346_000_000,
                archives=(
                    Archive(
                        url=f"{_KAGGLE_DOWNLOAD}/rodolfofigueroa/spotify-12m-songs",
                        name="spotify-12m-songs.zip",
                    ),
                ),
            ),
        ),
        approx_tracks=1_204_025,
        quick=False,
    ),
    Source(
        name="spotify1m",
        title='"Spotify 1 Million Tracks" spotify_data.csv (~1.16M tracks, 2000-2023, 82 genres)',
        licence="not stated on the public copy",
        attribution="Amitansh Joshi, Spotify 1 Million Tracks (Kaggle)",
        homepage="https://www.kaggle.com/datasets/amitanshjoshi/spotify-1million-tracks",
        kind="spotify_1m",
        columns=_ADAPTER_COLUMNS["spotify_1m"],
        files=(
            SourceFile(
                name="spotify_data.csv",
                urls=(),
                approx_bytes=170_000_000,
                archives=(
                    Archive(
                        url=f"{_KAGGLE_DOWNLOAD}/amitanshjoshi/spotify-1million-tracks",
                        name="spotify-1million-tracks.zip",
                    ),
                ),
            ),
        ),
        default=False,
        approx_tracks=1_159_764,
        quick=False,
    ),
)

SOURCE_NAMES: Final = tuple(source.name for source in SOURCES)
DEFAULT_SOURCES: Final = tuple(source.name for source in SOURCES if source.default)


def mirrored(source: Source, mirror_url: str) -> Source:
    """Return ``source`` with each URL replaced by ``<mirror>/<file name>``.

    Several public URLs of one file collapse into the one mirror URL: behind a proxy or in
    tests the mirror is the only place asked.
    """
    base = mirror_url.rstrip("/")
    files = tuple(
        replace(
            f,
            urls=(f"{base}/{f.name}",),
            archives=tuple(replace(a, url=f"{base}/{a.name}") for a in f.archives),
        )
        for f in source.files
    )
    return replace(source, files=files)


def pick_sources(names: Sequence[str] | None) -> tuple[Source, ...]:
    """Return the declared sources named in ``names`` (the default ones when ``None``).

    Raises:
        ValueError: naming an unknown source and listing the valid names.
    """
    if names is None:
        return tuple(source for source in SOURCES if source.default)
    unknown = [name for name in names if name not in SOURCE_NAMES]
    if unknown:
        msg = (
            f"RECOMMENDER_SOURCES names unknown source(s) {', '.join(map(repr, unknown))}; "
            f"valid names: {', '.join(SOURCE_NAMES)}"
        )
        raise ValueError(msg)
    if not names:
        msg = f"RECOMMENDER_SOURCES selects no source; valid names: {', '.join(SOURCE_NAMES)}"
        raise ValueError(msg)
    return tuple(source for source in SOURCES if source.name in names)


def selected_sources(settings: Settings) -> tuple[Source, ...]:
    """The sources to download under ``settings``: the selection, then the mirror applied."""
    sources = pick_sources(settings.sources)
    if settings.mirror_url:
        return tuple(mirrored(source, settings.mirror_url) for source in sources)
    return sources
