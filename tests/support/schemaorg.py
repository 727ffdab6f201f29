"""A small extract of the schema.org vocabulary, and a check of JSON-LD against it.

The extract (tests/server/visitor/schemaorg/vocabulary.jsonld) holds the classes our pages use
with all their ancestors, the properties we use with their domains and ranges, and the
enumeration members we name. It is made once, offline, from schema.org's release file:

    python -m tests.support.schemaorg path/to/schemaorg-current-https.jsonld

(https://github.com/schemaorg/schemaorg, data/releases/<version>/schemaorg-current-https.jsonld;
the vocabulary is under CC BY-SA 3.0, https://schema.org/docs/terms.html). Tests never fetch it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXTRACT = Path(__file__).parents[1] / "server" / "visitor" / "schemaorg" / "vocabulary.jsonld"
SOURCE = (
    "https://github.com/schemaorg/schemaorg/blob/main/data/releases/30.0/"
    "schemaorg-current-https.jsonld"
)
LICENCE = (
    "CC BY-SA 3.0 (https://creativecommons.org/licenses/by-sa/3.0/), schema.org/docs/terms.html"
)
# What the pages use (server/visitor/jsonld.py); a new one needs the extract made again.
CLASSES = [
    "Place",
    "Museum",
    "SubwayStation",
    "TouristAttraction",
    "EventVenue",
    "LocalBusiness",
    "Bakery",
    "BarOrPub",
    "BookStore",
    "CafeOrCoffeeShop",
    "Restaurant",
    "Store",
    "GeoCoordinates",
    "PostalAddress",
    "OpeningHoursSpecification",
    "Offer",
    "Event",
    "TouristTrip",
    "ItemList",
    "ListItem",
    "DayOfWeek",
    "EventAttendanceModeEnumeration",
    "Organization",
    "Person",
    "URL",
    "Text",
    "Number",
    "Date",
    "DateTime",
    "Time",
    "Integer",
    "ImageObject",
]
PROPERTIES = [
    "name",
    "url",
    "geo",
    "latitude",
    "longitude",
    "address",
    "streetAddress",
    "addressLocality",
    "addressCountry",
    "openingHours",
    "openingHoursSpecification",
    "dayOfWeek",
    "opens",
    "closes",
    "description",
    "image",
    "telephone",
    "sameAs",
    "validFrom",
    "validThrough",
    "offeredBy",
    "startDate",
    "endDate",
    "eventAttendanceMode",
    "location",
    "itinerary",
    "numberOfItems",
    "itemListElement",
    "position",
    "item",
]
MEMBERS = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "OfflineEventAttendanceMode",
]
KEPT = (
    "@id",
    "@type",
    "rdfs:label",
    "rdfs:subClassOf",
    "schema:domainIncludes",
    "schema:rangeIncludes",
)


def _ids(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [item["@id"] if isinstance(item, dict) else item for item in items]


def extract(full: dict[str, Any]) -> dict[str, Any]:
    """The extract of a full schema.org release: our classes with ancestors, our properties."""
    nodes = {node["@id"]: node for node in full["@graph"]}
    wanted: set[str] = set()
    todo = [f"schema:{name}" for name in CLASSES]
    while todo:
        name = todo.pop()
        if name in wanted or name not in nodes:
            continue
        wanted.add(name)
        todo.extend(_ids(nodes[name].get("rdfs:subClassOf")))
    wanted |= {f"schema:{name}" for name in PROPERTIES + MEMBERS}
    graph = [
        {key: nodes[name][key] for key in KEPT if key in nodes[name]} for name in sorted(wanted)
    ]
    return {"source": SOURCE, "licence": LICENCE, "@context": full["@context"], "@graph": graph}


@dataclass
class Vocabulary:
    """The classes, properties and enumeration members of the extract."""

    parents: dict[str, set[str]]
    domains: dict[str, set[str]]
    ranges: dict[str, set[str]]
    members: dict[str, str]  # member -> its enumeration

    @classmethod
    def load(cls, path: Path = EXTRACT) -> Vocabulary:
        """The extract shipped with the tests."""
        graph = json.loads(path.read_text())["@graph"]
        short = lambda ids: {i.removeprefix("schema:") for i in ids}  # noqa: E731
        vocabulary = cls({}, {}, {}, {})
        for node in graph:
            name, kind = node["@id"].removeprefix("schema:"), _ids(node.get("@type"))
            if "rdfs:Class" in kind:
                vocabulary.parents[name] = short(_ids(node.get("rdfs:subClassOf")))
            elif "rdf:Property" in kind:
                vocabulary.domains[name] = short(_ids(node.get("schema:domainIncludes")))
                vocabulary.ranges[name] = short(_ids(node.get("schema:rangeIncludes")))
            else:
                vocabulary.members[name] = next(iter(short(kind)))
        return vocabulary

    def ancestors(self, name: str) -> set[str]:
        """`name` and every class it is a subclass of."""
        found, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(self.parents.get(current, ()))
        return found

    def problems(self, node: dict[str, Any], where: str = "") -> list[str]:
        """What in a JSON-LD node (and the nodes in it) is not schema.org: unknown types,
        properties not of the type, values outside the property's range."""
        kind = node.get("@type")
        found: list[str] = []
        if kind not in self.parents:
            return [f"{where or '/'}: @type {kind!r} is no schema.org class"]
        lineage = self.ancestors(kind)
        for prop, value in node.items():
            if prop.startswith("@"):
                continue
            at = f"{where}/{prop}"
            if prop not in self.domains:
                found.append(f"{at}: no schema.org property {prop!r}")
                continue
            if not self.domains[prop] & lineage:
                found.append(f"{at}: {prop!r} is not a property of {kind}")
            for item in value if isinstance(value, list) else [value]:
                found += self._value(prop, item, at)
        return found

    def _value(self, prop: str, item: Any, at: str) -> list[str]:
        allowed = self.ranges[prop]
        if isinstance(item, dict):
            problems = self.problems(item, at)
            if not problems and not self.ancestors(item["@type"]) & allowed:
                problems.append(f"{at}: a {item['@type']} is not among {sorted(allowed)}")
            return problems
        if isinstance(item, str) and item.startswith("https://schema.org/"):
            member = item.removeprefix("https://schema.org/")
            if member in self.members:
                if self.members[member] not in allowed:
                    return [f"{at}: {member} is not a {sorted(allowed)}"]
                return []
        # Text, URL, numbers and dates: schema.org's data types, all written as JSON literals.
        literal = {"Text", "URL", "Number", "Integer", "Date", "DateTime", "Time", "Boolean"}
        if not allowed & literal:
            return [f"{at}: a literal where {sorted(allowed)} is expected"]
        return []


if __name__ == "__main__":  # make the extract from a release file (see the module's text)
    full = json.loads(Path(sys.argv[1]).read_text())
    EXTRACT.write_text(json.dumps(extract(full), indent=1, sort_keys=True) + "\n")
    print(f"wrote {EXTRACT}")
