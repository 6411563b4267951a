"""The app smoke check's parts: the probe run in the app's interpreter (``probe``, a script),
running it (``run``), and the "before" snapshot with its comparison (``snapshot``)."""
