import threading

import pytest

from recommender.spotify.oauth_state import (
    STATE_TTL_SECONDS,
    StateError,
    UsedStates,
    issue_state,
    verify_state,
)

SECRET = b"test-secret"
T0 = 1_800_000_000.0


def registry() -> UsedStates:
    return UsedStates(clock=lambda: T0)


def test_fresh_state_is_accepted_once_then_refused_as_replay():
    used = registry()
    state = issue_state(SECRET, now=T0)
    verify_state(state, SECRET, used=used, now=T0 + 5)
    with pytest.raises(StateError) as refused:
        verify_state(state, SECRET, used=used, now=T0 + 6)
    assert refused.value.reason == "replayed"
    assert "only once" in str(refused.value)


def test_two_states_are_different_and_both_accepted():
    used = registry()
    first, second = issue_state(SECRET, now=T0), issue_state(SECRET, now=T0)
    assert first != second
    verify_state(first, SECRET, used=used, now=T0)
    verify_state(second, SECRET, used=used, now=T0)
    assert len(used) == 2


@pytest.mark.parametrize(
    ("age", "accepted"),
    [(STATE_TTL_SECONDS - 1, True), (STATE_TTL_SECONDS + 1, False), (-3600, False)],
)
def test_state_expires_after_ten_minutes(age, accepted):
    state = issue_state(SECRET, now=T0)
    if accepted:
        verify_state(state, SECRET, used=registry(), now=T0 + age)
    else:
        with pytest.raises(StateError, match="expired") as refused:
            verify_state(state, SECRET, used=registry(), now=T0 + age)
        assert refused.value.reason == "expired"


def test_state_signed_with_another_secret_is_refused_without_using_the_nonce():
    used = registry()
    state = issue_state(b"someone-else", now=T0)
    with pytest.raises(StateError) as refused:
        verify_state(state, SECRET, used=used, now=T0)
    assert refused.value.reason == "bad_signature"
    assert len(used) == 0


def test_tampered_timestamp_breaks_the_signature():
    nonce, issued, signature = issue_state(SECRET, now=T0).split(".")
    forged = f"{nonce}.{int(issued) + 500}.{signature}"
    with pytest.raises(StateError) as refused:
        verify_state(forged, SECRET, used=registry(), now=T0 + 700)
    assert refused.value.reason == "bad_signature"


@pytest.mark.parametrize(
    ("state", "reason"),
    [(None, "missing"), ("", "missing"), ("abc", "malformed"), ("a.b.c", "malformed")],
)
def test_garbage_states_are_refused_with_a_reason(state, reason):
    with pytest.raises(StateError) as refused:
        verify_state(state, SECRET, used=registry(), now=T0)
    assert refused.value.reason == reason


def test_issue_state_needs_a_secret():
    with pytest.raises(ValueError, match="RECOMMENDER_STATE_SECRET"):
        issue_state(b"")


def test_used_states_forget_expired_entries():
    now = [T0]
    used = UsedStates(clock=lambda: now[0])
    assert used.claim("n1", expires_at=T0 + 10)
    now[0] = T0 + 11
    assert used.claim("n2", expires_at=T0 + 20)
    assert len(used) == 1


def test_concurrent_claims_of_one_nonce_succeed_exactly_once():
    used = registry()
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def claim():
        barrier.wait()
        results.append(used.claim("same", expires_at=T0 + 600))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_a_carried_list_is_taken_once_and_not_after_it_expired():
    from recommender.spotify.oauth_state import CarriedLists, nonce_of

    now = [1000.0]
    store = CarriedLists(clock=lambda: now[0])
    state = "abc123.1000.sig"
    assert nonce_of(state) == "abc123"
    assert nonce_of("garbage") is None
    store.put("abc123", "seeds=x", expires_at=1600.0)
    assert store.take("abc123") == "seeds=x"
    assert store.take("abc123") is None
    store.put("late", "seeds=y", expires_at=1600.0)
    now[0] = 1601.0
    assert store.take("late") is None
