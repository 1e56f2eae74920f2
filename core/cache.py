"""A Redis cache that degrades to a miss when Redis is down, instead of a 500."""

import logging
import time

from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


# Per process and Redis server: until when calls skip it after one failed.
_skipped_until = {}


def _degrade(method, fallback):
    def guarded(self, *args, **kwargs):
        server = tuple(self._servers)
        if time.monotonic() < _skipped_until.get(server, 0):
            return _fallback(fallback, args, kwargs)
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            # The page is rendered from the database instead; the site stays up. A
            # Redis that hangs would cost every call its socket timeout, so it is
            # left alone for a few seconds before the next try.
            _skipped_until[server] = time.monotonic() + settings.CACHE_RETRY_SECONDS
            logger.warning("cache unavailable during %s: %s", method.__name__, type(error).__name__)
            return _fallback(fallback, args, kwargs, error)

    guarded.__name__ = method.__name__
    return guarded


def _fallback(fallback, args, kwargs, error=None):
    """What an empty cache would answer: a value, or the exception it would raise."""
    if isinstance(fallback, type) and issubclass(fallback, Exception):
        raise fallback("cache unavailable") from error
    return fallback(*args, **kwargs) if callable(fallback) else fallback


class ResilientRedisCache(RedisCache):
    """Django's built-in RedisCache; every failing call behaves like an empty cache,
    and so does every call for CACHE_RETRY_SECONDS after one failed.

    ``incr`` raises ValueError, as it does for a missing key, so callers that
    handle a missing counter handle an absent Redis too.
    """

    get = _degrade(RedisCache.get, lambda key, default=None, version=None: default)
    get_many = _degrade(RedisCache.get_many, lambda *args, **kwargs: {})
    set = _degrade(RedisCache.set, None)
    set_many = _degrade(RedisCache.set_many, lambda data, *args, **kwargs: list(data))
    add = _degrade(RedisCache.add, False)
    touch = _degrade(RedisCache.touch, False)
    delete = _degrade(RedisCache.delete, False)
    delete_many = _degrade(RedisCache.delete_many, None)
    has_key = _degrade(RedisCache.has_key, False)
    incr = _degrade(RedisCache.incr, ValueError)
    clear = _degrade(RedisCache.clear, None)
