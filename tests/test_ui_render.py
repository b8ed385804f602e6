"""The recommendations memo of ``ui/render.py``: an unchanged rerun is free, a change is not."""

from streamlit.testing.v1 import AppTest


def memo_app():
    import streamlit as st

    from recommender.domain import AudioProfile
    from recommender.engine.model import train
    from recommender.present.listing import OptionValues
    from tests.factories import make_catalog
    from ui import render
    from ui.loaders import Services

    if "services" not in st.session_state:
        rows = [
            {"name": f"Song {i}", "artists": [f"Artist {i}"], "energy": i / 9, "valence": i / 9}
            for i in range(10)
        ]
        catalog = make_catalog(rows)
        st.session_state["services"] = Services(catalog=catalog, model=train(catalog))
    level = st.session_state.get("level", 0.95)
    # One approximate seed (an uploaded song not in the catalog), under the same id each run.
    profile = AudioProfile(
        label="Uploaded song",
        features={"energy": level, "valence": level},
        approximate=True,
    )
    options = OptionValues(
        per_seed=1,
        limit=1,
        max_per_artist=None,
        discover=False,
        popularity_range=(0, 100),
        exclude_explicit=False,
    )
    recs = render.recommendations_for(
        st.session_state["services"],
        ["history-0000000000000001"],
        {},
        options,
        {"history-0000000000000001": profile},
    )
    st.write(recs[0].name)


def test_a_changed_approximate_profile_under_the_same_id_gives_a_new_list():
    at = AppTest.from_function(memo_app, default_timeout=60).run()
    assert not at.exception
    assert at.markdown[0].value == "Song 9"  # high energy and valence
    at.session_state["level"] = 0.0
    at.run()
    assert not at.exception
    assert at.markdown[0].value == "Song 0"
