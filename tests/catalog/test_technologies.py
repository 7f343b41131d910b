import re
from pathlib import Path

import pytest
import yaml

from redplan.catalog import CatalogError, load_catalog
from redplan.catalog.technologies import Cited, RedirectRef, load_technologies

SHIPPED = Path(__file__).resolve().parents[2] / "catalogs" / "technologies.yaml"
REQUIRED = (
    "postgresql",
    "mysql",
    "redis",
    "mongodb",
    "etcd",
    "cassandra",
    "kafka",
    "cockroachdb",
    "dynamodb-global-tables",
    "rds-multi-az",
    "aurora",
    "spanner",
    "kubernetes",
    "generic",
)


def every_figure(catalog):
    yield from catalog.redirects.values()
    for technology in catalog.technologies.values():
        yield from technology.knobs.values()
        failover = technology.failover
        for figure in (failover.detection, failover.promotion, failover.combined, failover.redirect):
            if isinstance(figure, Cited):
                yield figure
        for figure in (technology.replication.async_lag, technology.restore.provision, technology.restore.throughput):
            if figure is not None:
                yield figure


def test_every_requested_technology_is_there():
    catalog = load_technologies()
    assert set(REQUIRED) <= set(catalog.technologies)
    assert "generic" not in catalog.names()


def test_every_figure_has_a_source_with_a_url_and_an_as_of_date():
    catalog = load_technologies()
    figures = list(every_figure(catalog))
    assert len(figures) > 60
    for figure in figures:
        assert figure.source in catalog.sources
        assert figure.says.strip()
        assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", figure.as_of)
        if figure.basis == "assumption":
            assert figure.source == "redplan-assumption"
        else:
            assert catalog.sources[figure.source].url.startswith("https://")


def test_generic_entry_is_all_assumptions_except_the_derived_restore_ceiling():
    generic = load_technologies().technologies["generic"]
    assert generic.failover.detection.basis == generic.failover.promotion.basis == "assumption"
    assert generic.replication.async_lag.basis == generic.restore.provision.basis == "assumption"
    assert generic.restore.throughput.bytes_per_second == 125 * 2**20


@pytest.mark.parametrize(
    ("technology", "detection", "promotion", "redirect"),
    [
        ("postgresql", 30, 10, 6),  # Patroni ttl, loop_wait; HAProxy 2 s x 3
        ("mysql", 10, 5, 6),  # 5 s suspicion + 5 s expel timeout
        ("redis", 30, 5, 5),  # down-after-milliseconds 30000
        ("mongodb", 10, 2, 0.5),  # electionTimeoutMillis; 12 s median election
        ("etcd", 1, 0.1, 5),
        ("kafka", 9, 1, 5),  # broker.session.timeout.ms 9000
        ("cockroachdb", 9, 3, 6),
        ("kubernetes", 50, 0, 5),  # node-monitor-grace-period 50 s since 1.32
        ("rds-multi-az", 120, 0, 5),  # "typically 60-120 s", combined
        ("aurora", 60, 0, 5),  # "under 60 s, often under 30 s", combined
        ("dynamodb-global-tables", 0, 0, 150),  # no DB failover; DNS failover record
        ("cassandra", 0, 0, 2),  # leaderless
        ("generic", 30, 30, 60),
    ],
)
def test_failover_parts(technology, detection, promotion, redirect):
    parts = load_technologies().failover_parts(technology)
    assert (parts["detection"].seconds, parts["promotion"].seconds, parts["redirect"].seconds) == (detection, promotion, redirect)
    assert all(part.basis for part in parts.values())


def test_documented_defaults_from_the_brief():
    catalog = load_technologies()
    knobs = {name: technology.knobs for name, technology in catalog.technologies.items()}
    assert (knobs["postgresql"]["ttl"].value, knobs["postgresql"]["loop_wait"].value, knobs["postgresql"]["retry_timeout"].value) == (30, 10, 10)
    assert knobs["redis"]["down-after-milliseconds"].value == 30000
    assert knobs["mongodb"]["electionTimeoutMillis"].value == 10000
    assert knobs["mongodb"]["heartbeatIntervalMillis"].value == 2000
    assert (knobs["etcd"]["heartbeat-interval"].value, knobs["etcd"]["election-timeout"].value) == (100, 1000)
    assert (knobs["cassandra"]["max_hint_window"].value, knobs["cassandra"]["max_hint_window"].unit) == (3, "h")
    assert knobs["kafka"]["replica.lag.time.max.ms"].value == 30000
    assert knobs["kafka"]["unclean.leader.election.enable"].value is False
    assert (knobs["aurora"]["storage_copies"].value, knobs["aurora"]["write_quorum"].value, knobs["aurora"]["read_quorum"].value) == (6, 4, 3)
    assert catalog.technologies["rds-multi-az"].failover.combined.low_seconds == 60
    assert catalog.technologies["spanner"].witnesses.supported
    assert catalog.technologies["cassandra"].topology == "leaderless"
    assert catalog.async_lag("dynamodb-global-tables").seconds == 1


def test_unknown_technology_falls_back_to_generic():
    catalog = load_technologies()
    assert catalog.profile("foundationdb") is catalog.technologies["generic"]
    assert catalog.profile(None) is catalog.technologies["generic"]
    assert catalog.async_lag("postgresql") is catalog.technologies["generic"].replication.async_lag
    assert catalog.restore_throughput("mongodb") is catalog.technologies["generic"].restore.throughput


def test_redirect_references_resolve():
    catalog = load_technologies()
    postgres = catalog.technologies["postgresql"].failover.redirect
    assert isinstance(postgres, RedirectRef)
    assert catalog.redirect("postgresql") is catalog.redirects[postgres.ref]
    assert catalog.redirects["dns-failover-record"].seconds == catalog.redirects["route53-health-check"].seconds + catalog.redirects["dns-ttl"].seconds


def test_citation_text_names_the_source_and_date():
    catalog = load_technologies()
    text = catalog.cite(catalog.technologies["redis"].failover.detection)
    assert "sentinel.conf" in text and "2026-11-25" in text


def test_shipped_catalog_is_cached_and_catalog_accessor_honours_the_directory(tmp_path):
    assert load_technologies() is load_technologies()
    assert load_catalog().technologies() is load_technologies()
    (tmp_path / "technologies.yaml").write_text(SHIPPED.read_text(encoding="utf-8").replace("name: PostgreSQL with Patroni", "name: Overridden"), encoding="utf-8")
    catalog = load_catalog(tmp_path)
    assert catalog.technologies().technologies["postgresql"].name == "Overridden"
    assert catalog.technologies() is catalog.technologies()
    assert load_technologies(tmp_path).technologies["postgresql"].name == "Overridden"
    assert load_technologies().technologies["postgresql"].name == "PostgreSQL with Patroni"


def edited(tmp_path, old, new):
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "technologies.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "        seconds: 30\n        formula: \"ttl\"",
            "        seconds: thirty\n        formula: \"ttl\"",
            r"technologies\.yaml:\d+: technologies\.postgresql\.failover\.detection\.seconds: Input should be a valid number",
        ),
        (
            "        seconds: 30\n        formula: \"ttl\"",
            "        seconds: -1\n        formula: \"ttl\"",
            r"technologies\.postgresql\.failover\.detection\.seconds: Input should be greater than or equal to 0",
        ),
        (
            "      redirect: {ref: proxy-health-check}\n      note: \"Clients usually",
            "      redirect: {ref: carrier-pigeon}\n      note: \"Clients usually",
            r"technologies\.postgresql\.failover\.redirect\.ref: unknown redirect 'carrier-pigeon'",
        ),
        (
            "        source: redis-sentinel-conf\n        says: \"Sentinel marks",
            "        source: somebody-said-so\n        says: \"Sentinel marks",
            r"technologies\.redis\.failover\.detection\.source: source 'somebody-said-so' is not in this file's sources",
        ),
        (
            "        as_of: 2026-11-25\n        basis: documented\n      loop_wait:",
            "        as_of: last week\n        basis: documented\n      loop_wait:",
            r"technologies\.postgresql\.knobs\.ttl\.as_of: Value error, as_of must be a date",
        ),
        (
            "        basis: documented\n      loop_wait:",
            "        basis: folklore\n      loop_wait:",
            r"technologies\.postgresql\.knobs\.ttl\.basis: Input should be 'documented'",
        ),
        (
            "  generic:\n    name:",
            "  generic-ish:\n    name:",
            r"technologies: the 'generic' entry .* is missing",
        ),
        (
            "      redirect: {ref: proxy-health-check}\n      note: \"Clients usually",
            "      redirect: {seconds: 6}\n      note: \"Clients usually",
            r"technologies\.postgresql\.failover\.redirect\.source: Field required",
        ),
        (
            "      ttl:\n        value: 30",
            "      ttl:\n        value: [30]",
            r"technologies\.postgresql\.knobs\.ttl\.value: Value error, value must be a number, a text or true/false",
        ),
        (
            "  mysql:\n    name:",
            "  redis:\n    name:",
            r"technologies\.yaml:\d+:\d+: duplicate key 'redis'",
        ),
        (
            "      combined:\n        seconds: 120",
            "      detection:\n        seconds: 120",
            r"technologies\.rds-multi-az\.failover: Value error, needs detection and promotion, or combined",
        ),
    ],
)
def test_broken_override_names_file_line_and_key(tmp_path, old, new, message):
    with pytest.raises(CatalogError, match=message):
        load_technologies(edited(tmp_path, old, new))


def test_error_points_at_the_offending_line(tmp_path):
    target = "        seconds: 30\n        formula: \"ttl\""
    directory = edited(tmp_path, target, "        seconds: thirty\n        formula: \"ttl\"")
    with pytest.raises(CatalogError) as caught:
        load_technologies(directory)
    text = SHIPPED.read_text(encoding="utf-8")
    expected = text[: text.index(target)].count("\n") + 1
    assert f"technologies.yaml:{expected}:" in str(caught.value)


def test_yaml_syntax_error_and_wrong_top_level(tmp_path):
    (tmp_path / "technologies.yaml").write_text("sources: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"technologies\.yaml:2"):
        load_technologies(tmp_path)
    (tmp_path / "technologies.yaml").write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="expected a mapping at the top level"):
        load_technologies(tmp_path)


def test_shipped_file_has_no_duplicate_keys_and_parses_with_safe_load():
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    assert set(data) == {"sources", "redirect", "technologies"}
