"""GeoReport v2's XML format (the spec's default) from the same dictionaries the JSON answers carry.

Built with the standard library's ElementTree: element names are fixed by the spec, values are text
(escaped by ElementTree), None is an empty element, booleans are "true"/"false".
"""

from xml.etree import ElementTree

# A list field's items are elements named by the singular (GeoReport spells them so).
SINGULAR = {"attributes": "attribute", "values": "value"}


def _fill(parent: ElementTree.Element, value):
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, list):
                holder = ElementTree.SubElement(parent, key)
                for item in child:
                    _fill(ElementTree.SubElement(holder, SINGULAR.get(key, "item")), item)
            else:
                _fill(ElementTree.SubElement(parent, key), child)
    elif isinstance(value, bool):
        parent.text = "true" if value else "false"
    elif value is not None:
        parent.text = str(value)


def document(root: str, item: str | None, data) -> bytes:
    """`<root><item>…</item>…</root>` for a list, `<root>…</root>` for one object."""
    element = ElementTree.Element(root)
    for row in data if item is not None else [data]:
        _fill(ElementTree.SubElement(element, item) if item is not None else element, row)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)
