"""Random and mutated inputs for every driver codec; counts exceptions other than each codec's typed errors.

Why a plain random mutator (not hypothesis): a million inputs per codec must run in seconds, and the seeds
(spec frames, card answers, text blocks, scanner lines) already sit next to the interesting edges. Used by
bench_drivers (millions) and by the test suite (a small share).
"""
from __future__ import annotations

import random
import time
from typing import Callable

from drivers.sam.card_text import CardTextError, decode_text_block, encode_text_block
from drivers.sam.errors import ReaderError
from drivers.sam.presets import PRESETS
from drivers.sam.protocol import (DEFAULT_COMMANDS, RequestDecoder, Response, ResponseDecoder, StxEnvelope,
                                  encode_request, encode_response)
from drivers.sam.session import decode_card_answer
from drivers.scanner import gm65
from drivers.scanner.codec import LineDecoder
from kiosk.core.identity.idnumber import IdNumberError, validate_id_number


def _read_answer(card) -> bytes:
    text = encode_text_block(card)
    return b"\x01\x00\x04\x00" + text + bytes(1024)


SEEDS_RESPONSES = [encode_response(Response(0, 0, sw3)) for sw3 in (0x90, 0x80, 0x81, 0x41, 0x10)] + [
    encode_response(Response(0, 0, 0x9F, bytes(4))), encode_response(Response(0, 0, 0x90, bytes(8))),
    encode_response(Response(0, 0, 0x90, _read_answer(PRESETS["resident"]))),
    encode_response(Response(0, 0, 0x9F, b"\x00"), StxEnvelope())]
SEEDS_REQUESTS = [encode_request(DEFAULT_COMMANDS.request(f)) for f in
                  ("reset", "status", "sam_id", "find", "select", "read_text_photo", "read_address")]
SEEDS_ANSWERS = [_read_answer(card) for card in PRESETS.values()]
SEEDS_LINES = [b"KP1:ABC\r", b"HC1:6BF+\r\n", gm65.WRITE_OK + b"X\r", b"\xe5\xbc\xa0\r", b"A" * 100 + b"\r\n"]
SEEDS_GM65 = [gm65.trigger(), gm65.set_baud(9600), gm65.save()]
SEEDS_IDS = [b"11010519491231002X", b"KAZ110090123105", b"911398199012310021", b"810000199408230021",
             b"110105491231002"]


def mutate(rng: random.Random, seeds: list[bytes]) -> bytes:
    choice = rng.random()
    if choice < 0.15:
        return rng.randbytes(rng.randrange(0, 80))
    data = bytearray(rng.choice(seeds))
    for _ in range(rng.randrange(1, 4)):
        op = rng.randrange(7)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[min(pos, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1 and data:
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        elif op == 2:
            data[pos:pos] = rng.randbytes(rng.randrange(1, 8))
        elif op == 3:
            del data[pos:pos + rng.randrange(1, 16)]
        elif op == 4:
            data = data[:pos]
        elif op == 5:
            data[pos:pos] = data[pos:pos + rng.randrange(1, 32)]
        else:
            data += rng.choice(seeds)
    return bytes(data)


def _stream(decoder_factory) -> Callable[[bytes, random.Random], None]:
    def run(data: bytes, rng: random.Random) -> None:
        decoder = decoder_factory()
        cut = rng.randrange(len(data) + 1)
        decoder.feed(data[:cut])
        decoder.feed(data[cut:])
    return run


def _lines(data: bytes, rng: random.Random) -> None:
    decoder = LineDecoder(max_line=64, same_code_delay_s=0.5, idle_flush_s=0.1)
    cut = rng.randrange(len(data) + 1)
    decoder.feed(data[:cut], 0.0)
    decoder.feed(data[cut:], 0.05)
    decoder.flush_idle(1.0)


def _id_number(data: bytes, rng: random.Random) -> None:
    validate_id_number(data.decode("latin-1"))


def _text_block(data: bytes, rng: random.Random) -> None:
    decode_text_block(data[:256].ljust(256, b" ") if rng.random() < 0.9 else data)


TARGETS: dict[str, tuple[Callable[[bytes, random.Random], None], list[bytes], tuple[type, ...]]] = {
    "SAM response decoder": (_stream(ResponseDecoder), SEEDS_RESPONSES, ()),
    "SAM request decoder (emulator)": (_stream(RequestDecoder), SEEDS_REQUESTS, ()),
    "card answer + text block": (lambda d, r: decode_card_answer(d), SEEDS_ANSWERS, (ReaderError,)),
    "text block alone": (_text_block, [encode_text_block(c) for c in PRESETS.values()], (CardTextError,)),
    "scanner line decoder": (_lines, SEEDS_LINES, ()),
    "GM65 command parser": (lambda d, r: gm65.parse_command(d), SEEDS_GM65, ()),
    "ID numbers": (_id_number, SEEDS_IDS, (IdNumberError,)),
}


def fuzz(name: str, n: int, seed: int) -> tuple[int, list[str]]:
    target, seeds, allowed = TARGETS[name]
    rng = random.Random(f"{seed}:{name}")
    failures: list[str] = []
    count = 0
    for _ in range(n):
        data = mutate(rng, seeds)
        try:
            target(data, rng)
        except allowed:
            pass
        except Exception as exc:  # noqa: BLE001 - this is what the fuzzer counts
            count += 1
            if len(failures) < 5:
                failures.append(f"{type(exc).__name__}: {exc} on {data[:40].hex()}")
    return count, failures


def _timed(job: tuple[str, int, int]) -> tuple[str, int, list[str], float]:
    t0 = time.perf_counter()
    count, failures = fuzz(*job)
    return job[0], count, failures, time.perf_counter() - t0


def run_all(n: int, seed: int = 1, names: list[str] | None = None, quiet: bool = False, workers: int = 1) -> int:
    """Fuzz every codec with n inputs; returns the number of uncaught exceptions (0 is the only pass)."""
    jobs = [(name, n, seed) for name in names or list(TARGETS)]
    if workers > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_timed, jobs, chunksize=1)
    else:
        results = [_timed(job) for job in jobs]
    total = 0
    for name, count, failures, seconds in results:
        total += count
        if not quiet:
            print(f"fuzz {name}: {n:,} inputs, {count} uncaught exceptions ({n / max(seconds, 1e-9):,.0f} inputs/s)")
            for failure in failures:
                print(f"    {failure}")
    return total
