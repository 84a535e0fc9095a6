"""Small recordings for the tests of answering aloud: the first bytes of real
WebM, Ogg and MP4 audio files, built here rather than kept as binary files."""

import struct


def _element(element_id: bytes, payload: bytes) -> bytes:
    """One EBML element: its id, its size as an 8-byte number, its payload."""
    return element_id + b"\x01" + len(payload).to_bytes(7, "big") + payload


def webm(seconds: float = 2.0) -> bytes:
    """A WebM file's header: the EBML header, then a segment with its duration
    and one Opus audio track (as a browser's MediaRecorder starts one)."""
    header = _element(
        b"\x1a\x45\xdf\xa3",
        _element(b"\x42\x86", b"\x01")  # EBMLVersion
        + _element(b"\x42\xf7", b"\x01")  # EBMLReadVersion
        + _element(b"\x42\xf2", b"\x04")  # EBMLMaxIDLength
        + _element(b"\x42\xf3", b"\x08")  # EBMLMaxSizeLength
        + _element(b"\x42\x82", b"webm")  # DocType
        + _element(b"\x42\x87", b"\x04")  # DocTypeVersion
        + _element(b"\x42\x85", b"\x02"),  # DocTypeReadVersion
    )
    info = _element(
        b"\x15\x49\xa9\x66",
        _element(b"\x2a\xd7\xb1", (1_000_000).to_bytes(3, "big"))  # TimecodeScale: 1 ms
        + _element(b"\x44\x89", struct.pack(">d", seconds * 1000)),  # Duration
    )
    track = _element(
        b"\xae",
        _element(b"\xd7", b"\x01")  # TrackNumber
        + _element(b"\x73\xc5", b"\x01")  # TrackUID
        + _element(b"\x83", b"\x02")  # TrackType: audio
        + _element(b"\x86", b"A_OPUS"),  # CodecID
    )
    segment = _element(b"\x18\x53\x80\x67", info + _element(b"\x16\x54\xae\x6b", track))
    return header + segment


def ogg() -> bytes:
    """An Ogg page starting an Opus stream (its CRC left at zero)."""
    page_header = b"OggS\x00\x02" + bytes(8) + (1).to_bytes(4, "little") + bytes(8)
    opus_head = b"OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00"
    return page_header + bytes([1, len(opus_head)]) + opus_head


def mp4() -> bytes:
    """An M4A file's ftyp box."""
    box = b"ftypM4A \x00\x00\x00\x00M4A isommp42"
    return (len(box) + 4).to_bytes(4, "big") + box
