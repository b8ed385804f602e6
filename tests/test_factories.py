from recommender.domain import CATALOG_SCHEMA, TRACK_ID_PATTERN
from tests.factories import make_catalog, track_id


def test_factory_builds_canonical_schema_with_nulls():
    catalog = make_catalog(
        [{"name": "A", "artists": ["X"]}, {"name": "B", "artists": ["Y"], "popularity": None}]
    )
    assert catalog.tracks.schema == CATALOG_SCHEMA
    assert catalog.tracks["popularity"].to_list() == [50, None]
    assert all(TRACK_ID_PATTERN.match(t) for t in catalog.tracks["track_id"])
    assert track_id(1) == catalog.tracks["track_id"][1]
