"""Reed-Solomon decoding over GF(256) as QR codes use it, with erasures: codewords known to be unreliable.

Why erasures: a decoder that only knows "this block is wrong somewhere" corrects up to ecc/2 codewords; told
which codewords are doubtful (in a glare spot, blurred to mid-gray), it corrects up to ecc of them. The QR field:
primitive polynomial 0x11D, generator roots alpha^0 .. alpha^(ecc-1). Berlekamp-Massey started from the erasure
locator, Chien search and Forney's formula; syndromes and root search vectorised with numpy.
Pure functions; any thread.
"""
from __future__ import annotations

import numpy as np

EXP = np.zeros(512, np.int64)
LOG = np.zeros(256, np.int64)
_x = 1
for _i in range(255):
    EXP[_i], LOG[_x] = _x, _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
EXP[255:510] = EXP[:255]
_EXP, _LOG = EXP.tolist(), LOG.tolist()


def _mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


def _inv(a: int) -> int:
    return _EXP[255 - _LOG[a]]


def syndromes(word: np.ndarray, ecc: int) -> list[int]:
    """S_j = word(alpha^j), j = 0 .. ecc-1 (word[0] is the highest-degree coefficient)."""
    n = len(word)
    nz = np.nonzero(word)[0]
    if nz.size == 0:
        return [0] * ecc
    logs = LOG[word[nz]]
    powers = (n - 1 - nz)
    table = EXP[(logs[None, :] + np.arange(ecc)[:, None] * powers[None, :]) % 255]
    return np.bitwise_xor.reduce(table, axis=1).tolist()


def encode(data: list[int], ecc: int) -> list[int]:
    """The ecc codewords of `data` (for tests and for checking a correction)."""
    gen = [1]
    for j in range(ecc):
        nxt = [0] * (len(gen) + 1)
        for i, g in enumerate(gen):
            nxt[i] ^= g
            nxt[i + 1] ^= _mul(g, _EXP[j])
        gen = nxt
    rem = list(data) + [0] * ecc
    for i in range(len(data)):
        coef = rem[i]
        if coef:
            for k in range(1, len(gen)):
                rem[i + k] ^= _mul(gen[k], coef)
    return rem[len(data):]


def _poly_mul(a: list[int], b: list[int]) -> list[int]:
    """Product of polynomials written lowest degree first."""
    exp, log = _EXP, _LOG
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            lx = log[x]
            for j, y in enumerate(b):
                if y:
                    out[i + j] ^= exp[lx + log[y]]
    return out


def _locator(s: list[int], erasure_powers: list[int], ecc: int) -> tuple[list[int], int]:
    """(errata locator, lowest degree first; its degree) by Berlekamp-Massey started from the erasures."""
    exp, log = _EXP, _LOG
    gamma = [1]
    for p in erasure_powers:
        gamma = _poly_mul(gamma, [1, exp[p]])
    lam, prev = list(gamma), list(gamma)
    e, length = len(erasure_powers), len(erasure_powers)
    for k in range(e, ecc):
        delta = 0
        for i in range(min(length, len(lam) - 1, k) + 1):
            a, b = lam[i], s[k - i]
            if a and b:
                delta ^= exp[log[a] + log[b]]
        prev = [0] + prev                       # x * B(x)
        if delta == 0:
            continue
        ld = log[delta]
        new = lam + [0] * (len(prev) - len(lam)) if len(prev) > len(lam) else list(lam)
        for i, c in enumerate(prev):
            if c:
                new[i] ^= exp[ld + log[c]]
        if 2 * length <= k + e:
            inv = 255 - ld
            prev = [exp[inv + log[c]] if c else 0 for c in lam]
            length = k + 1 + e - length
        lam = new
    while len(lam) > 1 and lam[-1] == 0:
        lam.pop()
    return lam, length


def decode(word: np.ndarray, ecc: int, erasures: list[int] = (), max_errors: int | None = None,
           known: list[int] | None = None) -> np.ndarray | None:
    """The corrected block (data + ecc codewords), or None when it cannot be corrected within the limits:
    `erasures` (indexes into the block) plus twice the errors found must fit in `ecc`, and at most
    `max_errors` errors (beyond the erasures) are accepted. `known`: the word's syndromes, if computed."""
    n = len(word)
    s = known if known is not None else syndromes(word, ecc)
    if not any(s):
        return word.copy()
    powers = [n - 1 - i for i in erasures]
    lam, degree = _locator(s, powers, ecc)
    errors = degree - len(powers)
    if len(lam) - 1 != degree or errors < 0 or 2 * errors + len(powers) > ecc:
        return None
    if max_errors is not None and errors > max_errors:
        return None
    # Chien search: roots X^-1 = alpha^-p for positions p in 0 .. n-1
    p = np.arange(n)
    values = np.zeros(n, np.int64)
    for i, c in enumerate(lam):
        if c:
            values ^= EXP[(_LOG[c] + (255 - p) * i % 255) % 255]
    roots = np.nonzero(values == 0)[0].tolist()
    if len(roots) != degree:
        return None
    omega = _poly_mul(s, lam)[:ecc]
    derivative = [lam[i] if i % 2 == 1 else 0 for i in range(1, len(lam))]   # lowest first, degree i-1
    fixed = word.copy()
    for root in roots:
        x_inv = _EXP[(255 - root) % 255]
        num = 0
        for i, c in enumerate(omega):
            num ^= _mul(c, _EXP[(_LOG[x_inv] * i) % 255]) if c else 0
        den = 0
        for i, c in enumerate(derivative):
            den ^= _mul(c, _EXP[(_LOG[x_inv] * i) % 255]) if c else 0
        if den == 0:
            return None
        magnitude = _mul(_EXP[root], _mul(num, _inv(den)))
        fixed[n - 1 - root] ^= magnitude
    if any(syndromes(fixed, ecc)):
        return None
    return fixed
