"""The only package that knows SQL: configuration, the table contract, queries, demo warehouse."""
