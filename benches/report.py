#!/usr/bin/env python3
"""Prints the medians of the request-overhead benchmark and the ratio typed / by_hand.

    cargo bench -p videohub-benches --bench request_overhead && python3 benches/report.py

Reads criterion's estimates under $CARGO_TARGET_DIR/criterion (default: target/criterion
of the workspace). The median's range is criterion's 95 % confidence interval.
"""

import json
import os
import sys
from pathlib import Path

root = Path(os.environ.get("CARGO_TARGET_DIR", Path(__file__).resolve().parent.parent / "target"))
criterion = root / "criterion"
if not criterion.is_dir():
    sys.exit(f"no criterion results under {criterion}: run the benchmark first")


def median(group, side):
    estimates = json.loads((group / side / "new" / "estimates.json").read_text())["median"]
    ci = estimates["confidence_interval"]
    return estimates["point_estimate"], ci["lower_bound"], ci["upper_bound"]


print(f"{'request':<26} {'typed median':>20} {'by_hand median':>20} {'ratio':>6}")
for group in sorted(p for p in criterion.iterdir() if (p / "typed").is_dir() and (p / "by_hand").is_dir()):
    typed, t_lo, t_hi = median(group, "typed")
    hand, h_lo, h_hi = median(group, "by_hand")
    print(
        f"{group.name:<26} {typed:>7.1f} ns [{t_lo:.0f}-{t_hi:.0f}] {hand:>7.1f} ns [{h_lo:.0f}-{h_hi:.0f}]"
        f" {typed / hand:>6.2f}"
    )
