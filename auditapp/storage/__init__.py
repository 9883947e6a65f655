"""Opening and keeping the database: engines, files, schema version, backups, encryption,
the instance lock, paths and atomic files."""
