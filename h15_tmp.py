import datetime as dt, time, statistics
from bench.nearby import populated_app
from bench.mobility import snapshots
saturday = dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC)
with populated_app(2000, FIXED_NOW=saturday) as app:
    from server.mobility.live import Mobility, mobility
    from server.visitor.mobility import block
    from server.services import nearby
    from server.models import Place
    from server.db import db_session
    from sqlalchemy import select
    store = mobility(app).store
    app.extensions["taptrail.mobility"] = Mobility(snapshots(store, saturday), store)
    with app.test_request_context("/p/la-piscine"):
        place = db_session().scalars(select(Place).where(Place.slug=="la-piscine")).one()
        items = nearby.for_place(db_session(), place, saturday, limit=10**6)
        block(place, saturday, items)
        t=[]
        for i in range(300):
            now = saturday + dt.timedelta(minutes=i)
            s=time.perf_counter(); block(place, now, items); t.append((time.perf_counter()-s)*1000)
        print("block median ms", statistics.median(t))
