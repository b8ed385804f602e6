"""The shared (Redis) registry of used OAuth states, against a real ``redis-server``."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from recommender.settings import Settings
from recommender.spotify.oauth_state import (
    REDIS_KEY_PREFIX,
    RedisUsedStates,
    StateError,
    UsedStates,
    issue_state,
    state_registry,
    verify_state,
)
from tests.browser.harness import free_port
from tests.redis_server import running_redis

SECRET = b"test-secret"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with running_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


def test_a_state_is_accepted_once_across_two_registries(redis_url):
    # Two replicas = two processes, each with its own client; here two clients.
    replica_a, replica_b = RedisUsedStates(redis_url), RedisUsedStates(redis_url)
    state = issue_state(SECRET)
    verify_state(state, SECRET, used=replica_b)
    with pytest.raises(StateError) as refused:
        verify_state(state, SECRET, used=replica_a)
    assert refused.value.reason == "replayed"


def test_the_key_expires_with_the_state(redis_url):
    nonce = "expiry-check"
    expires_at = time.time() + 600
    assert RedisUsedStates(redis_url).claim(nonce, expires_at=expires_at)
    ttl = redis.Redis.from_url(redis_url).ttl(REDIS_KEY_PREFIX + nonce)
    assert 590 <= ttl <= 602


def test_concurrent_claims_of_one_nonce_have_one_winner(redis_url):
    registries = [RedisUsedStates(redis_url) for _ in range(8)]
    expires_at = time.time() + 60
    with ThreadPoolExecutor(max_workers=8) as pool:
        wins = list(pool.map(lambda r: r.claim("raced-nonce", expires_at=expires_at), registries))
    assert wins.count(True) == 1


def test_unreachable_redis_refuses_the_login_with_a_message():
    dead = RedisUsedStates(f"redis://127.0.0.1:{free_port()}/0", timeout_seconds=0.5)
    with pytest.raises(StateError) as refused:
        verify_state(issue_state(SECRET), SECRET, used=dead)
    assert refused.value.reason == "unavailable"
    assert "Redis" in str(refused.value)


def test_without_redis_url_the_registry_is_in_process():
    settings = Settings.from_sources(env={}, secrets={})
    assert settings.redis_url is None
    assert isinstance(state_registry(settings.redis_url), UsedStates)
    configured = Settings.from_sources(env={"RECOMMENDER_REDIS_URL": "redis://cache:6379/0"})
    assert isinstance(state_registry(configured.redis_url), RedisUsedStates)


def test_a_carried_list_is_taken_once_by_any_replica_and_expires(redis_url):
    import redis

    from recommender.spotify.oauth_state import CARRY_KEY_PREFIX, RedisCarriedLists

    replica_a, replica_b = RedisCarriedLists(redis_url), RedisCarriedLists(redis_url)
    replica_a.put("carry-1", "seeds=abc&discover=1", expires_at=time.time() + 600)
    assert replica_b.take("carry-1") == "seeds=abc&discover=1"
    assert replica_a.take("carry-1") is None
    replica_a.put("carry-2", "seeds=x", expires_at=time.time() + 600)
    ttl = redis.Redis.from_url(redis_url).ttl(CARRY_KEY_PREFIX + "carry-2")
    assert 590 <= ttl <= 601


def test_an_unreachable_redis_loses_the_carried_list_and_nothing_else():
    from recommender.spotify.oauth_state import RedisCarriedLists

    dead = RedisCarriedLists(f"redis://127.0.0.1:{free_port()}/0", timeout_seconds=0.5)
    dead.put("n", "seeds=x", expires_at=time.time() + 60)
    assert dead.take("n") is None
