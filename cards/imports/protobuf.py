"""Reading protobuf messages from Anki's collections and packages (note types,
the media map) without Anki's own code or a protobuf dependency."""


def proto_fields(blob: bytes) -> dict[int, list]:
    """The top-level fields of a protobuf message, by number, each a list of its
    values (an int or bytes). Raises IndexError or ValueError when damaged."""
    fields: dict[int, list] = {}
    position = 0

    def varint() -> int:
        nonlocal position
        value = shift = 0
        while True:
            byte = blob[position]
            position += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    while position < len(blob):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            value = varint()
        elif wire == 2:
            length = varint()
            value, position = blob[position : position + length], position + length
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, position = blob[position : position + size], position + size
        else:
            raise ValueError(f"protobuf wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields
