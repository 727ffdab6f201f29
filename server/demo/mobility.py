"""The demo's own live mobility feeds, in the real formats, made for the moment they are asked:
V'Lille-like GBFS 2.3 and 3.0 stations near La Piscine, the Wazemmes market and a Weppes village,
two car parks in the metropolis's disponibilite-parkings JSON and one in DATEX II.

The demo server serves them itself (server/demo/feeds_route.py) and its poller fetches them
there, so `make run` shows live figures with no network. Counts move with the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape

# (id, name, latitude, longitude, capacity)
STATIONS = [
    ("10", "Roubaix La Piscine", 50.69205, 3.16745, 20),
    ("11", "Roubaix Gare Jean Lebas", 50.69540, 3.16430, 24),
    ("12", "Roubaix Grand-Place", 50.69140, 3.17420, 30),
    ("20", "Lille Wazemmes Marché", 50.62745, 3.05060, 25),
    ("21", "Lille Gambetta", 50.62630, 3.05330, 16),
    ("30", "Fromelles Mairie", 50.60590, 2.85250, 10),
]
# (id, libelle, adresse, ville, latitude, longitude, capacity)
CAR_PARKS = [
    ("RBX0001", "Parking Grand-Place", "Place de la Liberté", "Roubaix", 50.69110, 3.17560, 420),
    ("LIL0012", "Parking Wazemmes", "Rue Jules Guesde", "Lille", 50.62850, 3.04880, 360),
]
DATEX_PARKS = [("RBX-GARE", "Parc relais Gare Jean Lebas", 50.69600, 3.16300, 150)]


def _wave(key: str, now: dt.datetime, top: int) -> int:
    """A count between 0 and `top` that moves every minute, different for each key."""
    seed = sum(map(ord, key)) * 7
    minute = int(now.timestamp() // 60)
    return (seed + minute * (3 + seed % 5)) % (top + 1)


def gbfs_files(base: str, version: str, now: dt.datetime) -> dict[str, dict[str, Any]]:
    """The demo system's GBFS files ({file name: document}) in version 2.3 or 3.0."""
    names = ("system_information", "station_information", "station_status")
    urls = [{"name": name, "url": f"{base}/{name}.json"} for name in names]
    v3 = version == "3.0"
    stamp: Any = now.replace(microsecond=0).isoformat() if v3 else int(now.timestamp())

    def head(data: Any) -> dict[str, Any]:
        return {"last_updated": stamp, "ttl": 60, "version": version, "data": data}

    def text(value: str) -> Any:
        return [{"text": value, "language": "fr"}] if v3 else value

    system = {
        "system_id": "demo-vlille",
        "language": "fr",
        "name": text("V'Lille (démo)"),
        "timezone": "Europe/Paris",
    }
    if v3:
        system |= {"languages": ["fr"], "opening_hours": "24/7", "feed_contact_email": "a@b.fr"}
        del system["language"]
    counted = "num_vehicles_available" if v3 else "num_bikes_available"
    statuses = []
    for key, _, _, _, capacity in STATIONS:
        bikes = _wave(key, now, capacity)
        statuses.append(
            {
                "station_id": key,
                counted: bikes,
                "num_docks_available": capacity - bikes,
                "is_installed": True,
                "is_renting": key != "30" or now.hour >= 6,
                "is_returning": True,
                "last_reported": stamp,
            }
        )
    return {
        "gbfs": head({"feeds": urls} if v3 else {"fr": {"feeds": urls}}),
        "system_information": head(system),
        "station_information": head(
            {
                "stations": [
                    {"station_id": k, "name": text(n), "lat": la, "lon": lo, "capacity": c}
                    for k, n, la, lo, c in STATIONS
                ]
            }
        ),
        "station_status": head({"stations": statuses}),
    }


def lille_parkings(now: dt.datetime) -> list[dict[str, Any]]:
    """The demo car parks as the disponibilite-parkings JSON export lists them."""
    records = []
    for key, label, address, town, lat, lon, capacity in CAR_PARKS:
        free = _wave(key, now, capacity)
        records.append(
            {
                "id": key,
                "libelle": label,
                "adresse": address,
                "ville": town,
                "etat": "OUVERT",
                "dispo": free,
                "max": capacity,
                "datemaj": now.replace(microsecond=0).isoformat(),
                "aff": f"{free:03d}" if free else "COMPLET",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        )
    return records


DATEX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<d2:payload xmlns:d2="http://datex2.eu/schema/3/d2Payload" '
    'xmlns:prk="http://datex2.eu/schema/3/parking" '
    'xmlns:com="http://datex2.eu/schema/3/common" '
    'xmlns:loc="http://datex2.eu/schema/3/locationReferencing" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:type="prk:{kind}" lang="fr" modelBaseVersion="3">\n'
    "<com:publicationTime>{time}</com:publicationTime>\n"
    "<com:publicationCreator><com:country>FR</com:country>"
    "<com:nationalIdentifier>TAPTRAIL-DEMO</com:nationalIdentifier></com:publicationCreator>\n"
)


def datex_table(now: dt.datetime) -> str:
    """A DATEX II v3 ParkingTablePublication naming and placing the demo's DATEX car park."""
    parts = [DATEX_HEAD.format(kind="ParkingTablePublication", time=now.isoformat())]
    parts.append('<prk:parkingTable id="demo" version="1">')
    for key, name, lat, lon, capacity in DATEX_PARKS:
        parts.append(
            f'<prk:parkingRecord xsi:type="prk:UrbanParkingSite" id="{key}" version="1">'
            f'<prk:parkingName><com:values><com:value lang="fr">{escape(name)}</com:value>'
            "</com:values></prk:parkingName>"
            f"<prk:parkingNumberOfSpaces>{capacity}</prk:parkingNumberOfSpaces>"
            "<prk:parkingLocation><loc:pointByCoordinates><loc:pointCoordinates>"
            f"<loc:latitude>{lat}</loc:latitude><loc:longitude>{lon}</loc:longitude>"
            "</loc:pointCoordinates></loc:pointByCoordinates></prk:parkingLocation>"
            "</prk:parkingRecord>"
        )
    parts.append("</prk:parkingTable></d2:payload>\n")
    return "".join(parts)


def datex_status(now: dt.datetime, vacant: dict[str, int] | None = None) -> str:
    """A DATEX II v3 ParkingStatusPublication for the demo's DATEX car park."""
    parts = [DATEX_HEAD.format(kind="ParkingStatusPublication", time=now.isoformat())]
    for key, _, _, _, capacity in DATEX_PARKS:
        free = (vacant or {}).get(key, _wave(key, now, capacity))
        parts.append(
            '<prk:parkingRecordStatus xsi:type="prk:ParkingSiteStatus">'
            f'<prk:parkingRecordReference id="{key}" version="1"/>'
            f"<prk:parkingStatusOriginTime>{now.isoformat()}</prk:parkingStatusOriginTime>"
            "<prk:parkingOccupancy>"
            f"<prk:parkingNumberOfVacantSpaces>{free}</prk:parkingNumberOfVacantSpaces>"
            "</prk:parkingOccupancy>"
            "<prk:parkingSiteStatus>spacesAvailable</prk:parkingSiteStatus>"
            "<prk:parkingSiteOpeningStatus>open</prk:parkingSiteOpeningStatus>"
            "</prk:parkingRecordStatus>"
        )
    parts.append("</d2:payload>\n")
    return "".join(parts)


# The demo's timetable (server/demo/gtfs/): (route_id, label, [(stop_id, minutes from the
# first stop)], first departure, last departure, minutes between trips). Each line runs both
# ways every day; a trip's id is "<route>-<A|B>-<HHMM of its first departure>".
LINES = [
    ("M2", "M2", [("DEMO-M2-JLB", 0), ("DEMO-M2-GPL", 2), ("DEMO-M2-EPE", 4)], 330, 1470, 6),
    ("L25", "25", [("DEMO-BUS-PIS", 0), ("DEMO-BUS-CPU", 7)], 360, 1320, 15),
    ("M1", "M1", [("DEMO-M1-GAM", 0), ("DEMO-M1-WAZ", 2)], 330, 1470, 5),
    ("L63", "63", [("DEMO-BUS-FRO", 0), ("DEMO-BUS-FOU", 9), ("DEMO-BUS-WAV", 18)], 360, 1260, 30),
]
DEMO_DELAY_ROUTE, DEMO_DELAY = "L25", 180  # every run of line 25 in the hour is 3 min late
DEMO_ALERT_ROUTE = "L63"


def trips_of(route: str, now_minutes: int, within: int) -> list[str]:
    """The ids of a line's trips (both ways) starting within `within` minutes of a minute."""
    for key, _, _stops, first, last, every in LINES:
        if key != route:
            continue
        runs = range(first, last + 1, every)
        return [
            f"{key}-{way}-{start // 60:02d}{start % 60:02d}"
            for start in runs
            for way in "AB"
            if now_minutes - 30 <= start <= now_minutes + within
        ]
    return []


def trip_updates(now: dt.datetime, zone: str = "Europe/Paris") -> bytes:
    """The demo's GTFS-RT message: line 25 running late, an alert on line 63."""
    from zoneinfo import ZoneInfo

    from google.transit import gtfs_realtime_pb2 as rt

    local = now.astimezone(ZoneInfo(zone))
    message = rt.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.timestamp = int(now.timestamp())
    for trip in trips_of(DEMO_DELAY_ROUTE, local.hour * 60 + local.minute, 60):
        entity = message.entity.add(id=f"delay-{trip}")
        entity.trip_update.trip.trip_id = trip
        entity.trip_update.trip.start_date = f"{local:%Y%m%d}"
        entity.trip_update.stop_time_update.add(stop_sequence=1).departure.delay = DEMO_DELAY
    alert = message.entity.add(id="demo-alert-63").alert
    alert.header_text.translation.add(
        text="Arrêt Fournes Centre déplacé rue de Lille", language="fr"
    )
    alert.header_text.translation.add(
        text="Fournes Centre stop moved to rue de Lille", language="en"
    )
    alert.header_text.translation.add(
        text="Halte Fournes Centre verplaatst naar rue de Lille", language="nl"
    )
    alert.informed_entity.add(route_id=DEMO_ALERT_ROUTE)
    alert.effect = rt.Alert.STOP_MOVED
    return message.SerializeToString()


def timetable_files() -> dict[str, str]:
    """The demo GTFS timetable's files (written once into server/demo/gtfs/)."""
    routes = ["route_id,route_short_name,route_long_name,route_type"]
    trips = ["route_id,service_id,trip_id,trip_headsign"]
    times = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"]
    names = {
        "DEMO-M2-JLB": "Gare Jean Lebas",
        "DEMO-M2-EPE": "Eurotéléport",
        "DEMO-BUS-PIS": "Musée La Piscine",
        "DEMO-BUS-CPU": "Condition Publique",
        "DEMO-M1-GAM": "Gambetta",
        "DEMO-M1-WAZ": "Wazemmes",
        "DEMO-BUS-FRO": "Fromelles Musée",
        "DEMO-BUS-WAV": "Wavrin Gare",
    }
    for key, label, stops, first, last, every in LINES:
        kind = 1 if label.startswith("M") else 3
        routes.append(f"{key},{label},,{kind}")
        for way, calls in (
            ("A", stops),
            ("B", [(s, stops[-1][1] - m) for s, m in reversed(stops)]),
        ):
            for start in range(first, last + 1, every):
                trip = f"{key}-{way}-{start // 60:02d}{start % 60:02d}"
                trips.append(f"{key},DAILY,{trip},{names[calls[-1][0]]}")
                for sequence, (stop, offset) in enumerate(calls, 1):
                    at = start + offset
                    clock = f"{at // 60:02d}:{at % 60:02d}:00"
                    times.append(f"{trip},{clock},{clock},{stop},{sequence}")
    return {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n"
        "DEMO,TapTrail demo,https://taptrail.invalid,Europe/Paris\n",
        "routes.txt": "\n".join(routes) + "\n",
        "trips.txt": "\n".join(trips) + "\n",
        "stop_times.txt": "\n".join(times) + "\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
        "start_date,end_date\nDAILY,1,1,1,1,1,1,1,20260101,20301231\n",
    }
