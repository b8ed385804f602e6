"""Catalog search that forgives (prefixes, one typo, accents) and the "surprise me" seed picker."""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA

from recommender.domain import Catalog, parse_track_id
from recommender.text import fold, primary_artist
from recommender.text_columns import fold_plain, plain_or_python

MatchKind = Literal["exact", "prefix", "fuzzy"]

# Per-token match quality; a track's quality is the worst over the query's tokens. A typo in
# a whole word ("beyonse") ranks above a typo in a prefix being typed ("beyp").
_EXACT: Final = 4
_PREFIX: Final = 3
_FUZZY_WORD: Final = 2
_FUZZY_PREFIX: Final = 1
_KINDS: Final[dict[int, MatchKind]] = {
    _EXACT: "exact",
    _PREFIX: "prefix",
    _FUZZY_WORD: "fuzzy",
    _FUZZY_PREFIX: "fuzzy",
}
# Shorter tokens would match half the vocabulary with one edit.
MIN_FUZZY_LENGTH: Final = 4
# A pasted paragraph is not a search; its first words are plenty and keep the cost bounded.
MAX_QUERY_WORDS: Final = 12
_APOSTROPHES: Final = re.compile(r"['’`´]")
_TOKEN: Final = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """Split folded text into search tokens ("Don't Stop – Beyoncé" -> dont, stop, beyonce)."""
    return _TOKEN.findall(_APOSTROPHES.sub("", fold(text)))


def _tokens_plain(expr: pl.Expr) -> pl.Expr:
    """``tokens`` for printable ASCII: fold, drop ' and `, runs of letters and digits."""
    return fold_plain(expr).str.replace_all(r"['`]", "").str.extract_all(r"[0-9a-z]+")


def _token_lists(texts: pl.Series) -> pl.Series:
    """``tokens`` of every text, column-wise (``text_columns.plain_or_python``)."""
    return plain_or_python(texts, _tokens_plain, tokens, dtype=pl.List(pl.String))


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result.

    ``score`` orders results: 4 exact / 3 prefix / 2 one typo in a whole word / 1 one typo
    in a prefix, plus popularity / 1000, so the match always dominates and popularity breaks
    ties within it.
    """

    track_id: str
    name: str
    artists: tuple[str, ...]
    score: float
    kind: MatchKind
    popularity: int | None = None


@dataclass(frozen=True, slots=True)
class SurprisePick:
    """A coherent random seed set and what holds it together (shown to the listener)."""

    label: str
    track_ids: list[str]


class SearchIndex:
    """Token index over the title and artists of every catalog track.

    The distinct tokens are kept sorted with their postings (track rows) laid out in the same
    order, so every token sharing a prefix owns one contiguous slice of the postings: a prefix
    query is two bisections and one slice. One-typo matching compares the query token with the
    distinct token prefixes of nearby lengths using rapidfuzz (optimal string alignment, so a
    swap of two neighbouring letters counts as one typo).
    """

    def __init__(
        self,
        *,
        tracks: pl.DataFrame,
        popularity: np.ndarray,
        vocabulary: list[str],
        offsets: np.ndarray,
        postings: np.ndarray,
    ) -> None:
        # The catalog's own columns (a polars select shares their buffers): a hit's title and
        # artists are read for the few rows shown, never held as Python objects per track.
        self.tracks = tracks
        self.popularity = popularity
        self.vocabulary = vocabulary
        self.offsets = offsets
        self.postings = postings
        self._ids_sorted = bool(tracks["track_id"].is_sorted())
        self._prefixes = _prefixes_by_length(vocabulary)
        # Every token without its first letter, sorted, and the vocabulary index of each.
        shifted = sorted((token[1:], i) for i, token in enumerate(vocabulary))
        self._shifted = [rest for rest, _ in shifted]
        self._shifted_token = np.array([i for _, i in shifted], dtype=np.int64)

    @classmethod
    def build(cls, catalog: Catalog) -> SearchIndex:
        """Index ``catalog.tracks`` (title and artists)."""
        frame = catalog.tracks.select("track_id", "name", "artists", "popularity")
        # One text per track, title then credits, as tokens() would be given it.
        texts = frame.select(
            pl.concat_str(
                pl.col("name").fill_null(""),
                pl.col("artists").fill_null([]).list.join(" "),
                separator=" ",
            ).str.strip_suffix(" ")
        ).to_series()
        exploded = (
            pl.DataFrame({"token": _token_lists(texts)})
            .with_row_index("row")
            .explode("token")
            .drop_nulls("token")
        )
        # Sorting a million tracks' (token, row) pairs by string is the slow part of a build;
        # the distinct tokens are few, so sort those and the pairs by integer codes instead.
        vocabulary_series = exploded["token"].unique().sort()
        coded = (
            exploded.select(
                "row",
                pl.col("token").cast(pl.Enum(vocabulary_series)).to_physical().alias("code"),
            )
            .unique()
            .sort("code", "row")
        )
        counts = np.bincount(coded["code"].to_numpy(), minlength=len(vocabulary_series))
        offsets = np.zeros(len(vocabulary_series) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        postings = coded["row"].cast(pl.Int32).to_numpy()
        popularity = frame["popularity"].fill_null(-1).cast(pl.Int16).to_numpy()
        return cls(
            tracks=frame.select("track_id", "name", "artists"),
            popularity=popularity,
            vocabulary=vocabulary_series.to_list(),
            offsets=offsets,
            postings=postings,
        )

    def __len__(self) -> int:
        return self.tracks.height

    def search(self, query: str, *, limit: int = 20) -> list[SearchHit]:
        """Tracks whose title or artists contain every token of ``query``, best first.

        A query token matches a track token exactly, as its prefix ("beyo" -> "beyonce"), or,
        for tokens of 4+ characters, with one typo ("beyonse"). Results are ranked exact >
        prefix > fuzzy (the worst token decides), then by popularity. A pasted track id, URI
        or open.spotify.com link finds that track.
        """
        by_id = self._search_id(query)
        if by_id is not None:
            return [by_id]
        words = list(dict.fromkeys(tokens(query[:500])))[:MAX_QUERY_WORDS]
        if not words or limit <= 0:
            return []
        quality = self._quality(words, fuzzy=False)
        if np.count_nonzero(quality) < limit:
            # Typo tolerance only ever adds tracks ranked below the exact and prefix ones.
            quality = self._quality(words, fuzzy=True)
        rows = np.flatnonzero(quality)
        order = rows[np.lexsort((rows, -self.popularity[rows], -quality[rows]))]
        hits: list[SearchHit] = []
        seen: set[tuple[str, tuple[str, ...]]] = set()
        # The same title by the same artists often sits in the catalog under several ids
        # (album and single, remasters); the list shows its most popular copy once. Rows are
        # read a block at a time: a few blocks give ``limit`` distinct songs.
        block = max(2 * limit, 64)
        for start in range(0, len(order), block):
            rows = order[start : start + block]
            part = self.tracks[rows]
            for row, track_id, name, artists in zip(
                rows.tolist(),
                part["track_id"].to_list(),
                part["name"].to_list(),
                part["artists"].to_list(),
                strict=True,
            ):
                shown = (name or "", tuple(artists or ()))
                if shown not in seen:
                    seen.add(shown)
                    hits.append(self._hit(row, track_id, shown, int(quality[row])))
                    if len(hits) == limit:
                        return hits
        return hits

    def _search_id(self, query: str) -> SearchHit | None:
        try:
            track_id = parse_track_id(query)
        except ValueError:
            return None
        row = self._row_of(track_id)
        if row < 0:
            return None
        name, artists = self.tracks.row(row)[1:]
        return self._hit(row, track_id, (name or "", tuple(artists or ())), _EXACT)

    def _row_of(self, track_id: str) -> int:
        """The catalog row of ``track_id``, or -1 (binary search on the sorted catalog)."""
        ids = self.tracks["track_id"]
        if not self._ids_sorted:
            found = (ids == track_id).arg_true()
            return int(found[0]) if len(found) else -1
        at = int(ids.search_sorted(track_id))
        return at if at < len(ids) and ids[at] == track_id else -1

    def _hit(
        self, row: int, track_id: str, shown: tuple[str, tuple[str, ...]], quality: int
    ) -> SearchHit:
        popularity = int(self.popularity[row])
        known = popularity if popularity >= 0 else None
        return SearchHit(
            track_id=track_id,
            name=shown[0],
            artists=shown[1],
            score=quality + max(popularity, 0) / 1000,
            kind=_KINDS[quality],
            popularity=known,
        )

    def _quality(self, words: list[str], *, fuzzy: bool) -> np.ndarray:
        combined: np.ndarray | None = None
        for word in words:
            quality = np.zeros(self.tracks.height, dtype=np.int8)
            if fuzzy and len(word) >= MIN_FUZZY_LENGTH:
                in_prefix, in_word = self._fuzzy_rows(word)
                quality[in_prefix] = _FUZZY_PREFIX
                quality[in_word] = _FUZZY_WORD
            lo, hi = self._prefix_range(word)
            quality[self.postings[self.offsets[lo] : self.offsets[hi]]] = _PREFIX
            if lo < hi and self.vocabulary[lo] == word:
                quality[self.postings[self.offsets[lo] : self.offsets[lo + 1]]] = _EXACT
            combined = quality if combined is None else np.minimum(combined, quality)
        assert combined is not None  # words is never empty here
        return combined

    def _prefix_range(self, prefix: str) -> tuple[int, int]:
        lo = bisect.bisect_left(self.vocabulary, prefix)
        hi = bisect.bisect_left(self.vocabulary, prefix + "\U0010ffff", lo)
        return lo, hi

    def _fuzzy_rows(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """Rows with a token one typo from ``word``: (as a prefix, as a whole word)."""
        # A token is within one edit of the typed word when one of its prefixes of length
        # len(word) - 1, len(word) or len(word) + 1 is; the prefix then names a vocabulary range.
        # Such a prefix starts with word[0] or word[1] unless the typo is the first letter
        # itself (replaced or dropped), which the shifted vocabulary finds without rapidfuzz.
        # Comparing only within those first-letter groups keeps rapidfuzz on a few thousand
        # strings instead of the whole vocabulary.
        ranges: list[tuple[int, int]] = []  # vocabulary ranges matched as prefixes
        words: list[int] = []  # vocabulary indices matched as whole words
        for length in (len(word) - 1, len(word), len(word) + 1):
            for first in dict.fromkeys(word[:2]):
                choices = self._prefixes.get((length, first))
                if not choices:
                    continue
                distances = process.cdist(
                    [word], choices, scorer=OSA.distance, score_cutoff=1, dtype=np.uint8
                )[0]
                for index in np.flatnonzero(distances <= 1).tolist():
                    lo, hi = self._prefix_range(choices[index])
                    ranges.append((lo, hi))
                    if self.vocabulary[lo] == choices[index]:
                        words.append(lo)
        for shifted in (word[1:], word):  # first letter replaced, first letter dropped
            lo = bisect.bisect_left(self._shifted, shifted)
            hi = bisect.bisect_left(self._shifted, shifted + "\U0010ffff", lo)
            whole = bisect.bisect_right(self._shifted, shifted, lo, hi)
            tokens_hit = self._shifted_token[lo:hi].tolist()
            ranges.extend((i, i + 1) for i in tokens_hit)
            words.extend(tokens_hit[: whole - lo])
        return self._rows(ranges), self._rows([(i, i + 1) for i in words])

    def _rows(self, ranges: list[tuple[int, int]]) -> np.ndarray:
        if not ranges:
            return np.empty(0, dtype=np.int32)
        return np.concatenate(
            [self.postings[self.offsets[lo] : self.offsets[hi]] for lo, hi in ranges]
        )


def _prefixes_by_length(vocabulary: list[str]) -> dict[tuple[int, str], list[str]]:
    """Distinct token prefixes keyed by (length, first letter), each list sorted."""
    groups: dict[tuple[int, str], set[str]] = {}
    for token in vocabulary:
        for length in range(MIN_FUZZY_LENGTH - 1, len(token) + 1):
            groups.setdefault((length, token[0]), set()).add(token[:length])
    return {key: sorted(prefixes) for key, prefixes in groups.items()}


def surprise_pick(
    catalog: Catalog, *, rng: np.random.Generator, n: int = 5, avoid: Collection[str] = ()
) -> SurprisePick:
    """Pick ``n`` tracks that belong together: one TidyTuesday playlist or one genre.

    The group is drawn uniformly among those with at least ``n`` catalog tracks; inside it,
    popular tracks are likelier (a guest should recognise a few) and each artist appears once
    where the group allows. ``avoid`` (e.g. the current seeds) is never returned again as is.

    Raises:
        ValueError: when no playlist or genre holds ``n`` tracks.
    """
    groups = _groups(catalog, n=n)
    if not groups:
        msg = f"no playlist or genre in the catalog holds {n} tracks to surprise with"
        raise ValueError(msg)
    for _ in range(10):
        label, members = groups[int(rng.integers(len(groups)))]
        rows = catalog.tracks.filter(pl.col("track_id").is_in(members))
        weights = rows["popularity"].fill_null(0).cast(pl.Float64).to_numpy() + 10.0
        order = rng.choice(rows.height, size=rows.height, replace=False, p=weights / weights.sum())
        ids = rows["track_id"].to_list()
        artists = rows["artists"].to_list()
        picked = _distinct_artists(
            [ids[i] for i in order], {ids[i]: primary_artist(artists[i] or []) for i in order}, n=n
        )
        if set(picked) != set(avoid):
            break
    return SurprisePick(label=label, track_ids=picked)


def surprise_seeds(
    catalog: Catalog, *, rng: np.random.Generator, n: int = 5, avoid: Collection[str] = ()
) -> list[str]:
    """The track ids of :func:`surprise_pick` (a coherent random seed set)."""
    return surprise_pick(catalog, rng=rng, n=n, avoid=avoid).track_ids


def _groups(catalog: Catalog, *, n: int) -> list[tuple[str, list[str]]]:
    known = catalog.tracks.select("track_id")
    playlists = (
        catalog.playlists.join(known, on="track_id", how="semi")
        .group_by("playlist_id", "playlist_name")
        .agg(pl.col("track_id").unique().sort())
        .filter(pl.col("track_id").list.len() >= n)
        .sort("playlist_id")
    )
    genres = (
        catalog.tracks.select("track_id", "genres")
        .explode("genres")
        .drop_nulls("genres")
        .group_by("genres")
        .agg(pl.col("track_id").unique().sort())
        .filter(pl.col("track_id").list.len() >= n)
        .sort("genres")
    )
    return [
        (f"TidyTuesday playlist “{name.strip()}”", ids)
        for name, ids in playlists.select("playlist_name", "track_id").iter_rows()
    ] + [(f"genre “{genre}”", ids) for genre, ids in genres.iter_rows()]


def _distinct_artists(ordered: list[str], artist: dict[str, str], *, n: int) -> list[str]:
    picked: list[str] = []
    seen: set[str] = set()
    for track_id in ordered:
        if artist[track_id] not in seen:
            picked.append(track_id)
            seen.add(artist[track_id])
        if len(picked) == n:
            return picked
    rest = [t for t in ordered if t not in picked]
    return picked + rest[: n - len(picked)]
