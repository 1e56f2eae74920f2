"""A Redis cache that degrades to a miss when Redis is down, instead of a 500."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _degrade(method, fallback):
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            # The page is rendered from the database instead; the site stays up.
            logger.warning("cache unavailable during %s: %s", method.__name__, type(error).__name__)
            if isinstance(fallback, type) and issubclass(fallback, Exception):
                raise fallback("cache unavailable") from error
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    guarded.__name__ = method.__name__
    return guarded


class ResilientRedisCache(RedisCache):
    """Django's built-in RedisCache; every failing call behaves like an empty cache.

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
