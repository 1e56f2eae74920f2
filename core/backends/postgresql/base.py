"""Django's PostgreSQL backend, failing fast while the server is unreachable.

Every connect goes through ``core.database.breaker``: while it is open (a connect
to this database failed, and no retry has succeeded since) no connect is tried,
and a failed connect opens it. Settings select this backend for every PostgreSQL DATABASE_URL.
"""

from django.db.backends.postgresql import base

from core.database import breaker, server_key


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        server = server_key(conn_params)
        breaker.before_connect(server)
        try:
            connection = super().get_new_connection(conn_params)
        except self.Database.OperationalError as error:
            breaker.connect_failed(
                server, error, probe=lambda: self.Database.connect(**conn_params).close()
            )
            raise
        breaker.connect_succeeded(server)
        return connection
