"""Write a synthetic fleet of service files for scale tests: N services, 100 per file, a realistic mix.

    python benchmarks/generate_fleet.py 10000 /tmp/fleet

Deterministic (seeded), so two runs write the same files. Every file passes `redplan validate`;
some designs are deliberately flawed so the audit has findings to report.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

REGIONS = ["aws:us-east-1", "aws:us-east-2", "aws:us-west-2", "aws:eu-west-1", "aws:eu-central-1",
           "gcp:us-central1", "gcp:europe-west1", "azure:eastus", "azure:westeurope"]
TIERS = ["mission-critical", "critical", "important", "standard", "non-critical"]
PER_FILE = 100


def zones(region: str) -> list[str]:
    return ["1", "2", "3"] if region.startswith("azure:") else ["a", "b", "c"]


def service(index: int, rng: random.Random) -> str:
    home, other = rng.sample(REGIONS[:5] if rng.random() < 0.7 else REGIONS, 2)
    tier = rng.choice(TIERS)
    kind = rng.choice(["async", "sync", "backup", "stateless"])
    zone = zones(home)
    lines = [f"  - name: svc-{index:05d}", f"    tier: {tier}"]
    if kind == "stateless":
        lines += ["    state: stateless", f"    regions: [{home}]", "    deployment:", "      pattern: n-plus-1", "      replicas:"]
        lines += [f"        - {{region: {home}, az: {z}, role: instance, count: {rng.randint(1, 3)}}}" for z in zone]
        return "\n".join(lines)
    lines += ["    state: stateful", f"    regions: [{home}, {other}]", f"    data: {{kind: document, write_rate: {rng.randint(10, 5000)}/s, write_size: 1KiB, size: {rng.randint(10, 900)}GiB}}",
              "    deployment:"]
    if kind == "backup":
        lines += ["      pattern: backup-restore", "      replicas:", f"        - {{region: {home}, az: {zone[0]}, role: primary}}",
                  f"      backups: {{interval: {rng.choice(['1h', '6h', '24h'])}, offsite: {other}}}"]
    else:
        lines += ["      pattern: active-passive", f"      replication: {kind}", "      replicas:",
                  f"        - {{region: {home}, az: {zone[0]}, role: primary}}",
                  f"        - {{region: {home}, az: {zone[1]}, role: standby{', sync: true' if kind == 'sync' else ''}}}",
                  f"        - {{region: {other}, az: {zones(other)[0]}, role: standby}}",
                  f"      failover: {{automatic: true, detection: 10s, promotion: 10s, redirect: 30s, fencing: {str(rng.random() < 0.8).lower()}}}"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out_dir", type=Path)
    arguments = parser.parse_args()
    rng = random.Random(20261125)
    arguments.out_dir.mkdir(parents=True, exist_ok=True)
    for start in range(0, arguments.count, PER_FILE):
        services = [service(index, rng) for index in range(start, min(start + PER_FILE, arguments.count))]
        text = "version: 1\nservices:\n" + "\n".join(services) + "\n"
        (arguments.out_dir / f"fleet-{start // PER_FILE:04d}.yaml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
