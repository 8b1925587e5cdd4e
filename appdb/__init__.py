"""The app database: what users write (actions, the audit trail), never the warehouse.

SQLAlchemy Core on a SQLite file under ``data/`` by default, PostgreSQL or MariaDB by URL.
The schema is created and migrated on start by ``appdb.migrations.migrate``.
"""
