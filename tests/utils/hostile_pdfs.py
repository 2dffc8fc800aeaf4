"""Malformed and hostile PDFs, built byte by byte or mutated from real ones."""

from __future__ import annotations

import random
import re
import zlib
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "papers"
# The two CC BY 4.0 ACL Anthology papers (see tests/fixtures/papers/README.md).
REAL_PDFS = (FIXTURES / "2020.acl-main.447.pdf", FIXTURES / "2023.eacl-main.121.pdf")
TEXT_OPS = b"BT /F1 12 Tf 72 700 Td (Hello from a hostile page) Tj ET\n"
STREAM = re.compile(rb"stream\r?\n")


def build(objects: list[bytes]) -> bytes:
    """A PDF whose object i+1 is objects[i] (object 1 the catalog), with a correct xref."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def flate_stream(compressed: bytes) -> bytes:
    """A stream object body holding already-deflated data."""
    head = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(compressed)
    return head + compressed + b"\nendstream"


def pages_pdf(contents: list[bytes]) -> bytes:
    """One page per deflated content stream, all sharing a Helvetica font."""
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(len(contents)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(contents)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, compressed in enumerate(contents):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(flate_stream(compressed))
    return build(objects)


def deflate_repeated(head: bytes, filler: bytes, total: int, tail: bytes = b"") -> bytes:
    """Deflate `head`, then `filler` repeated to `total` bytes, then `tail`, in little memory."""
    packer = zlib.compressobj(9)
    out = [packer.compress(head)]
    block = filler * (1_000_000 // len(filler))
    for _ in range(total // len(block)):
        out.append(packer.compress(block))
    out.append(packer.compress(tail))
    out.append(packer.flush())
    return b"".join(out)


def inflating_pdf(megabytes: int) -> bytes:
    """One page whose content stream inflates to `megabytes` MB (a decompression bomb)."""
    return pages_pdf([deflate_repeated(TEXT_OPS, b" ", megabytes * 1_000_000)])


def cached_bomb_pdf(pages: int, megabytes: int) -> bytes:
    """Pages each inflating to `megabytes` MB: within pypdf's per-stream limit, all kept."""
    image = b"BI /W 1 /H 1 /BPC 8 /CS /G ID "
    content = deflate_repeated(TEXT_OPS + image, b"a", megabytes * 1_000_000, b" EI\n")
    return pages_pdf([content] * pages)


def self_referencing_kid_pdf() -> bytes:
    """A page tree whose only kid is an object that is nothing but a reference to itself."""
    return build(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"3 0 R",
        ]
    )


def cyclic_parent_pdf() -> bytes:
    """A page that is its own /Parent, so inherited attributes are looked up forever."""
    return build(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 3 0 R /MediaBox 3 0 R /Contents 4 0 R >>",
            flate_stream(zlib.compress(TEXT_OPS)),
        ]
    )


def looping_page_tree_pdf() -> bytes:
    """A page tree whose only kid is the tree itself."""
    return build(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"]
    )


def deeply_nested_pdf(depth: int = 50_000) -> bytes:
    """A page's resources nested `depth` arrays deep."""
    nested = b"[" * depth + b"]" * depth
    return build(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /X " + nested + b" >> >>",
            flate_stream(zlib.compress(TEXT_OPS)),
        ]
    )


def stream_spans(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of every stream's raw data."""
    spans = []
    for m in STREAM.finditer(data):
        end = data.find(b"endstream", m.end())
        if end > m.end() + 8:
            spans.append((m.end(), end))
    return spans


def flip_bits_in_a_stream(data: bytes, rng: random.Random, flips: int) -> bytes:
    """Flip `flips` random bits inside one randomly chosen stream."""
    start, end = rng.choice(stream_spans(data))
    out = bytearray(data)
    for _ in range(flips):
        at = rng.randrange(start, end)
        out[at] ^= 1 << rng.randrange(8)
    return bytes(out)


def overwrite_bytes_in_a_stream(data: bytes, rng: random.Random) -> bytes:
    """Overwrite a run of bytes inside one randomly chosen stream with random ones."""
    start, end = rng.choice(stream_spans(data))
    at = rng.randrange(start, end)
    run = min(64, end - at)
    return data[:at] + rng.randbytes(run) + data[at + run :]


def flip_a_bit_in_a_filter_name(data: bytes, rng: random.Random) -> bytes:
    """One flipped bit in a `/FlateDecode`, so a stream names a filter nobody has."""
    names = [m.start() for m in re.finditer(rb"/FlateDecode", data)]
    at = rng.choice(names) + 1 + rng.randrange(len(b"FlateDecode"))
    out = bytearray(data)
    out[at] ^= 1 << rng.randrange(5)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    """The file cut off somewhere after its header."""
    return data[: rng.randrange(16, len(data) - 1)]


def garbage_xref(data: bytes, rng: random.Random) -> bytes:
    """The last cross-reference section and trailer replaced by random bytes."""
    at = data.rfind(b"xref")
    if at < 0:
        at = data.rfind(b"startxref")
    return data[:at] + rng.randbytes(len(data) - at)


MUTATIONS = (
    lambda data, rng: flip_bits_in_a_stream(data, rng, 1),
    lambda data, rng: flip_bits_in_a_stream(data, rng, 8),
    overwrite_bytes_in_a_stream,
    flip_a_bit_in_a_filter_name,
    truncate,
    garbage_xref,
)


def mutants(sources: list[bytes], count: int, seed: int) -> list[bytes]:
    """`count` mutants of the sources, cycling through every mutation, reproducibly."""
    rng = random.Random(seed)
    return [MUTATIONS[i % len(MUTATIONS)](sources[i % len(sources)], rng) for i in range(count)]
