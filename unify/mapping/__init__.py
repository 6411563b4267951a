"""The unified schema as the database will hold it, and how the legacy database's tables and
values map onto it: read by verify (to judge the data) and by migrate (to move it)."""
