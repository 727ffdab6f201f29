"""Live mobility: bike share, car parks and transit feeds fetched by a poller, checked, and kept
as snapshots that the pages read.

The poller (`poller.py`, one per host, supervised beside gunicorn's workers like the tap
drainer) fetches each configured feed (`feeds.py`) on its schedule over HTTP (`fetch.py`: a
conditional GET, a timeout, a size limit), reads and validates it (`gbfs.py`, `parking.py`,
`realtime.py`) and writes the last good snapshot and the feed's state (`store.py`). A visitor's
page never fetches anything: it reads the snapshots, and every figure carries its age.
"""
