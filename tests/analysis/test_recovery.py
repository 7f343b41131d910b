import dataclasses
import math

import pytest

from redplan.analysis.recovery import (
    GIVEN,
    Estimate,
    Part,
    async_rpo,
    backup_rpo,
    failover_rto,
    restore_rto,
    sync_rpo,
)


def test_failover_rto_is_the_sum_of_its_parts_with_their_sources():
    estimate = failover_rto(30, 10, 6, basis={"detection": "Patroni ttl 30 s", "redirect": "HAProxy 2 s x 3"})
    assert estimate.seconds == 46
    assert estimate.parts == (
        Part("detection", 30.0, "Patroni ttl 30 s"),
        Part("promotion", 10.0, GIVEN),
        Part("redirect", 6.0, "HAProxy 2 s x 3"),
    )
    assert estimate.seconds == sum(part.seconds for part in estimate.parts)
    assert estimate.explain() == "46 s = detection 30 s + promotion 10 s + redirect 6 s"


def test_estimates_are_frozen():
    estimate = failover_rto(1, 2, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        estimate.seconds = 0  # type: ignore[misc]


def test_restore_rto_streams_the_data_at_the_restore_rate():
    # 500 GiB at 125 MiB/s = 4096 s; plus 600 s provisioning and a 60 s DNS TTL
    estimate = restore_rto(600, 500 * 2**30, 125 * 2**20, 60, basis={"restore": "gp3 baseline", "provision": "assumed"})
    assert [part.component for part in estimate.parts] == ["provision", "restore", "redirect"]
    assert estimate.parts[1].seconds == 4096
    assert estimate.seconds == 600 + 4096 + 60
    assert estimate.parts[1].basis == "500 GiB at 125 MiB/s (gp3 baseline)"
    assert estimate.explain() == "1.32 h = provision 10 min + restore 1.14 h + redirect 60 s"  # 4756 s


def test_restore_of_nothing_is_provisioning_plus_redirect():
    assert restore_rto(300, 0, 1, 5).seconds == 305


@pytest.mark.parametrize("rate", [0, -1, math.inf, math.nan])
def test_restore_needs_a_positive_rate(rate):
    with pytest.raises(ValueError, match="restore_bytes_per_s"):
        restore_rto(0, 1, rate, 0)


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf])
def test_negative_or_non_finite_parts_are_rejected(bad):
    with pytest.raises(ValueError, match="detection"):
        failover_rto(bad, 0, 0)


def test_async_rpo_is_the_lag_quantile_and_lost_writes_use_the_mean():
    rpo = async_rpo(2.5, quantile=0.99, mean_lag_s=0.4, write_rate_per_s=2000, basis="measured replay_lag")
    assert rpo.seconds == 2.5
    assert rpo.quantile == 0.99
    assert rpo.expected_lost_writes == pytest.approx(800)
    assert rpo.parts == (Part("replication lag p99", 2.5, "measured replay_lag"),)


def test_async_rpo_without_quantile_or_mean():
    rpo = async_rpo(1.0, write_rate_per_s=100)
    assert (rpo.seconds, rpo.quantile, rpo.expected_lost_writes) == (1.0, None, 100.0)
    assert rpo.parts[0].component == "replication lag"
    assert async_rpo(1.0).expected_lost_writes is None


def test_async_rpo_rejects_a_quantile_outside_0_1():
    with pytest.raises(ValueError, match="quantile"):
        async_rpo(1.0, quantile=99)


def test_sync_rpo_is_zero():
    rpo = sync_rpo()
    assert (rpo.seconds, rpo.expected_lost_writes) == (0.0, 0.0)


def test_backup_rpo_is_interval_plus_copy_time():
    rpo = backup_rpo(3600, 900, basis={"interval": "backups: {interval: 1h}"})
    assert rpo.seconds == 4500
    assert rpo.parts == (Part("backup interval", 3600.0, "backups: {interval: 1h}"), Part("copy off-site", 900.0, GIVEN))
    assert isinstance(rpo, Estimate)


def test_analysis_module_imports_nothing_of_redplan():
    import ast
    from pathlib import Path

    import redplan.analysis.recovery as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not [name for name in imported if name and name.startswith("redplan") and not name.startswith("redplan.analysis")]
