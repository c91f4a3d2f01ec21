"""The board's chime: a short two-tone "ding-dong" made here as a WAV (no binary file shipped)."""

from __future__ import annotations

import functools
import io
import math
import struct
import wave

RATE = 16_000


def _tone(freq: float, seconds: float, volume: float = 0.5) -> list[int]:
    count = int(RATE * seconds)
    samples = []
    for i in range(count):
        t = i / RATE
        envelope = math.exp(-3.5 * t / seconds) * min(1.0, i / 160)  # soft attack, bell-like decay
        value = math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(2 * math.pi * 2 * freq * t)
        samples.append(int(32767 * volume * envelope * value / 1.3))
    return samples


@functools.lru_cache(maxsize=1)
def chime_wav() -> bytes:
    samples = _tone(880.0, 0.45) + _tone(659.25, 0.7)
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return out.getvalue()
