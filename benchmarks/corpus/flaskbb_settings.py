"""FlaskBB's settings for the corpus gate's app check (``FLASKBB_SETTINGS``): its default
logging writes to ``flaskbb/logs``, a folder the sdist does not ship."""

USE_DEFAULT_LOGGING = False
