"""Removing a photo's location from the copy the ledger stores, without re-encoding it.

Phones write where a photo was taken into its EXIF (the GPS directory) and sometimes into an
XMP packet. The position is read once, when the file is checked (``evidence.read_exif``), and
kept on the evidence row, which only users in the hazard's scope see; the stored file must not
carry it further (a download forwarded outside the ledger). ``strip_location`` rewrites only
the metadata: the GPS directory leaves the EXIF block (orientation, time and camera stay), an
XMP packet that mentions GPS is dropped, and the image data is copied byte for byte, so the
stored photo looks exactly like the upload. A file without location comes back unchanged.

Both hashes are kept (``Evidence.sha256`` of the stored bytes, ``original_sha256`` of the
upload) and recorded in the history event that attached the file.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageOps

_GPS_IFD = 0x8825
_EXIF_IFD = 0x8769
_EXIF_HEADER = b"Exif\x00\x00"
_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_EXTENSION_HEADER = b"http://ns.adobe.com/xmp/extension/\x00"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class UnparsableMetadata(ValueError):
    """The container could not be walked; the caller falls back to re-encoding."""


def _exif_without_gps(tiff: bytes) -> bytes | None:
    """The EXIF block (TIFF bytes, without the ``Exif\\0\\0`` header) without its GPS
    directory, or None when it has none (keep the block as it is)."""
    exif = Image.Exif()
    exif.load(tiff)
    if _GPS_IFD not in exif:
        return None
    exif.get_ifd(_EXIF_IFD)  # loaded, so that it is written back
    del exif[_GPS_IFD]
    return exif.tobytes()[len(_EXIF_HEADER) :]


def _mentions_gps(packet: bytes) -> bool:
    return b"GPS" in packet or b"gps" in packet


def _strip_jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise UnparsableMetadata("not a JPEG")
    out = [data[:2]]
    pos = 2
    changed = False
    while pos < len(data):
        if data[pos] != 0xFF:
            raise UnparsableMetadata("marker expected")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            out.append(data[pos : pos + 1])
            pos += 1
            continue
        if marker == 0xD9 or marker == 0x01 or 0xD0 <= marker <= 0xD7:
            out.append(data[pos : pos + 2])
            pos += 2
            continue
        if pos + 4 > len(data):
            raise UnparsableMetadata("truncated segment")
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise UnparsableMetadata("bad segment length")
        payload = data[pos + 4 : end]
        if marker == 0xDA:  # start of scan: the image data follows, copied as it is
            out.append(data[pos:])
            break
        if marker == 0xE1 and payload.startswith(_EXIF_HEADER):
            tiff = _exif_without_gps(payload[len(_EXIF_HEADER) :])
            if tiff is not None:
                block = _EXIF_HEADER + tiff
                if len(block) + 2 > 0xFFFF:
                    raise UnparsableMetadata("EXIF block too large")
                out.append(b"\xff\xe1" + struct.pack(">H", len(block) + 2) + block)
                changed = True
                pos = end
                continue
        if (
            marker == 0xE1
            and payload.startswith((_XMP_HEADER, _XMP_EXTENSION_HEADER))
            and _mentions_gps(payload)
        ):
            changed = True
            pos = end
            continue
        out.append(data[pos:end])
        pos = end
    return b"".join(out) if changed else data


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _drop_png_xmp(kind: bytes, body: bytes) -> bool:
    """True for an XMP packet chunk that may name a position: one that mentions GPS, or one
    compressed (zTXt, or iTXt with its flag set), which is dropped unread."""
    if kind not in (b"iTXt", b"tEXt", b"zTXt") or not body.startswith(b"XML:com.adobe.xmp\x00"):
        return False
    return kind != b"iTXt" or _mentions_gps(body) or body[18:19] == b"\x01"


def _strip_png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise UnparsableMetadata("not a PNG")
    out = [_PNG_SIGNATURE]
    pos = len(_PNG_SIGNATURE)
    changed = False
    while pos < len(data):
        if pos + 8 > len(data):
            raise UnparsableMetadata("truncated chunk")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise UnparsableMetadata("bad chunk length")
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"eXIf":
            tiff = _exif_without_gps(body)
            if tiff is not None:
                out.append(_png_chunk(kind, tiff))
                changed = True
                pos = end
                continue
        elif _drop_png_xmp(kind, body):
            changed = True
            pos = end
            continue
        out.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            out.append(data[pos:])
            break
    return b"".join(out) if changed else data


def _strip_webp(data: bytes) -> bytes:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise UnparsableMetadata("not a WebP")
    chunks: list[tuple[bytes, bytes]] = []
    pos = 12
    changed = False
    while pos + 8 <= len(data):
        kind = data[pos : pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if len(body) != length:
            raise UnparsableMetadata("bad chunk length")
        pos += 8 + length + (length & 1)
        if kind == b"EXIF":
            header = _EXIF_HEADER if body.startswith(_EXIF_HEADER) else b""
            tiff = _exif_without_gps(body[len(header) :])
            if tiff is not None:
                body = header + tiff
                changed = True
        elif kind == b"XMP " and _mentions_gps(body):
            changed = True
            continue
        chunks.append((kind, body))
    if not changed:
        return data
    has_xmp = any(kind == b"XMP " for kind, _body in chunks)
    parts = []
    for kind, body in chunks:
        if kind == b"VP8X" and len(body) >= 1 and not has_xmp:
            body = bytes([body[0] & ~0x04]) + body[1:]  # the XMP flag
        parts.append(
            kind + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")
        )
    payload = b"WEBP" + b"".join(parts)
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


_STRIPPERS = {"image/jpeg": _strip_jpeg, "image/png": _strip_png, "image/webp": _strip_webp}


def _reencode(data: bytes, mime: str) -> bytes:
    """The photo decoded and saved again without any metadata (the fallback for a file
    whose containers could not be walked; it has been decoded once already)."""
    with Image.open(io.BytesIO(data)) as source:
        image = ImageOps.exif_transpose(source)
        out = io.BytesIO()
        fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[mime]
        options = {"quality": 95} if fmt in ("JPEG", "WEBP") else {}
        image.save(out, format=fmt, **options)
    return out.getvalue()


def strip_location(data: bytes, mime: str) -> bytes:
    """``data`` without the location it carries (EXIF GPS directory, XMP packets that mention
    GPS); the same bytes when it carries none or is not a photo (a PDF). A photo whose
    containers cannot be walked is re-encoded without metadata instead."""
    stripper = _STRIPPERS.get(mime)
    if stripper is None:
        return data
    try:
        return stripper(data)
    except (UnparsableMetadata, struct.error, SyntaxError, ValueError, OSError, KeyError):
        return _reencode(data, mime)
