"""The shared cache by default: Django's database cache, with counting that holds under load.

Counters every app server must share (the public forms' rate limit) live in the
cache. Redis counts atomically by itself (SET NX, INCRBY). Django's database cache
does not: its incr() reads the value, adds and writes it back, so two processes
counting at once lose a count (and the write resets the entry's expiry to the
default timeout); and two processes that add() over an expired entry at once both
succeed. Here add() and incr() each run in one short transaction that locks the
entry first: SELECT ... FOR UPDATE on PostgreSQL; on SQLite the project's IMMEDIATE
transactions (config/settings.py) already give the transaction the database's one
write lock. A missing entry is protected by the table's primary key: of two
inserts, one fails and add() says so.

The table is made by the migrations (vawg/core/migrations), so a fresh machine and
the test database have it; `manage.py createcachetable` makes it again after a
change of table name or of cache.
"""

import base64
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import IntegrityError, connections, models, router, transaction
from django.utils.timezone import now


class DatabaseCache(DjangoDatabaseCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        """Store `value` unless the key holds a live entry; whether it was stored."""
        key = self.make_and_validate_key(key, version=version)
        connection = self._connection()
        self._delete_expired(connection)
        expires = self._expiry(timeout)
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                entry = self._locked_entry(connection, cursor, key)
                if entry is not None and entry[1] >= now():
                    return False
                if entry is not None:
                    sql = "UPDATE {table} SET value = %s, expires = %s WHERE cache_key = %s"
                    cursor.execute(self._sql(connection, sql), [encoded, expires, key])
                else:
                    sql = "INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s)"
                    cursor.execute(self._sql(connection, sql), [key, encoded, expires])
        except IntegrityError:
            return False  # another process inserted the same key first
        return True

    def incr(self, key, delta=1, version=None):
        """Add `delta` to a live entry, keeping its expiry; ValueError if there is none."""
        key = self.make_and_validate_key(key, version=version)
        connection = self._connection()
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            entry = self._locked_entry(connection, cursor, key)
            if entry is None or entry[1] < now():
                raise ValueError(f"Key '{key}' not found.")
            value = pickle.loads(base64.b64decode(entry[0].encode())) + delta  # noqa: S301 - the cache table is ours; Django's own database cache pickles the same way
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            sql = "UPDATE {table} SET value = %s WHERE cache_key = %s"
            cursor.execute(self._sql(connection, sql), [encoded, key])
        return value

    # decr() is BaseCache's: incr() with -delta.

    def _connection(self):
        return connections[router.db_for_write(self.cache_model_class)]

    def _sql(self, connection, sql: str) -> str:
        return sql.format(table=connection.ops.quote_name(self._table))

    def _locked_entry(self, connection, cursor, key: str) -> tuple[str, datetime] | None:
        """The entry's (encoded value, expiry), locked until the transaction ends."""
        sql = "SELECT value, expires FROM {table} WHERE cache_key = %s"
        if connection.features.has_select_for_update:
            sql += " FOR UPDATE"
        cursor.execute(self._sql(connection, sql), [key])
        row = cursor.fetchone()
        if row is None:
            return None
        value, expires = row
        expression = models.Expression(output_field=models.DateTimeField())
        converters = [
            *connection.ops.get_db_converters(expression),
            *expression.get_db_converters(connection),
        ]
        for converter in converters:
            expires = converter(expires, expression, connection)
        return connection.ops.process_clob(value), expires

    def _expiry(self, timeout):
        """As Django's database cache writes it: to the second, in UTC, adapted."""
        timeout = self.get_backend_timeout(timeout)
        tz = UTC if settings.USE_TZ else None
        expires = datetime.max if timeout is None else datetime.fromtimestamp(timeout, tz=tz)
        return self._connection().ops.adapt_datetimefield_value(expires.replace(microsecond=0))

    def _delete_expired(self, connection) -> None:
        """Forget expired entries, so that no count outlives its window in the table."""
        with connection.cursor() as cursor:
            cursor.execute(
                self._sql(connection, "DELETE FROM {table} WHERE expires < %s"),
                [connection.ops.adapt_datetimefield_value(now().replace(microsecond=0))],
            )
