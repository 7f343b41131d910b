"""The command line: parse flags, call one function, print, choose the exit code.

Heavy modules are imported inside the commands that need them, so `--help`
and `validate` start fast (scipy and numpy never load for them).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from redplan import __version__

if TYPE_CHECKING:
    from redplan.catalog import Catalog
    from redplan.report import Formatter
    from redplan.spec.errors import SpecInputError
    from redplan.spec.loader import Fleet

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

# pydantic looks for plugins (observability hooks for applications' own models) by reading the
# metadata of every installed distribution when it builds its first model: 20-70 ms of each start.
# redplan's models are its own and never instrumented, so it asks for none unless told otherwise.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

app = typer.Typer(
    name="redplan",
    help=(
        "Plan and audit redundancy for distributed services.\n\n"
        "Describe each service in YAML (RTO, RPO, consistency, regions, failures to survive, "
        "and optionally what is deployed today); redplan checks the file and computes what "
        "the design delivers."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=True,
)
catalog_app = typer.Typer(
    help="Look up the shipped catalogs: regions and measured inter-region round-trip times.",
    no_args_is_help=True,
)
app.add_typer(catalog_app, name="catalog")


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


CatalogDir = Annotated[
    Path | None,
    typer.Option(
        "--catalog-dir",
        envvar="REDPLAN_CATALOG_DIR",
        help="Directory whose catalog files (regions.csv, rtt.csv, tiers.yaml, ...) replace the shipped ones.",
        file_okay=False,
        show_default=False,
    ),
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
SvgOption = Annotated[
    Path | None,
    typer.Option("--svg", help="Also save the text report, in colour, as an SVG image in this new file.", dir_okay=False, show_default=False),
]
SVG_WIDTH = 100
MAX_SIMULATED_DELAYS = 5_000_000


def _version(value: bool) -> None:
    if value:
        typer.echo(f"redplan {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Plan and audit redundancy for distributed services."""


def _fail(messages: list[str]) -> NoReturn:
    for message in messages:
        print(message, file=sys.stderr)
    raise typer.Exit(EXIT_INPUT)


ReportT = TypeVar("ReportT")


def _write(formatter: Formatter[ReportT], report: ReportT, svg: Path | None) -> None:
    """The report on stdout and, with `svg`, the same report in colour as an image (a new file only:
    nothing the user owns is overwritten)."""
    if svg is None:
        formatter.write(report, sys.stdout)
        return
    if svg.exists():
        _fail([f"{svg}: exists; choose a new file for --svg"])
    import io

    from rich.console import Console
    from rich.text import Text

    formatter.write(report, sys.stdout)
    painted = io.StringIO()
    with _coloured(SVG_WIDTH):
        formatter.write(report, painted)
    recorder = Console(record=True, width=SVG_WIDTH, file=io.StringIO(), force_terminal=True)
    recorder.print(Text.from_ansi(painted.getvalue()), end="")
    try:
        recorder.save_svg(str(svg), title="redplan")
    except OSError as error:
        _fail([f"{svg}: cannot write: {error.strerror}"])
    typer.echo(f"wrote {svg}", err=True)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection while this lasts (forked workers included). An audit keeps what it builds
    and makes almost no cycles: the 30 collections of a 10,000-service run found 70-200 objects each and cost
    each process 0.1 s."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _coloured(width: int) -> Iterator[None]:
    """Formatters colour what they write, at this width, while this lasts (rich reads both from the environment)."""
    saved = {key: os.environ.get(key) for key in ("FORCE_COLOR", "NO_COLOR", "COLUMNS")}
    os.environ.update(FORCE_COLOR="1", COLUMNS=str(width))
    os.environ.pop("NO_COLOR", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _text_only(output_format: str, svg: Path | None) -> None:
    if svg is not None and output_format != "text":
        _fail([f"--svg draws the text report; it cannot go with --format {output_format}"])


def _catalog(directory: Path | None) -> Catalog:
    from redplan.catalog import CatalogError, load_catalog

    try:
        return load_catalog(directory)
    except CatalogError as error:
        _fail([f"catalog error: {error}"])


def _load(paths: list[str], catalog: Catalog) -> Fleet:
    """The services under `paths`, or every input error printed and exit 2."""
    from redplan.spec.errors import SpecInputError
    from redplan.spec.loader import load_fleet

    try:
        fleet = load_fleet(paths, catalog)
    except SpecInputError as invalid:
        _fail_input(invalid)
    gc.freeze()  # the fleet lives until exit: later collections need not scan it again
    return fleet


def _fail_input(invalid: SpecInputError) -> NoReturn:
    files = len({error.file for error in invalid.errors})
    count = len(invalid.errors)
    _fail([*map(str, invalid.errors), f"{count} error{'s' * (count != 1)} in {files} file{'s' * (files != 1)}"])


@app.command()
def validate(
    paths: Annotated[list[str], typer.Argument(help="Service files, directories (searched for *.yaml, *.yml) or globs.", show_default=False)],
    catalog_dir: CatalogDir = None,
) -> None:
    """Check service files: YAML, schema, units, regions, and cross-field consistency.

    Every problem is printed as [bold]file:line:col: message[/bold] on stderr and the exit code is 2; a clean run prints a summary and exits 0.

    [dim]Example: redplan validate services/ 'teams/**/*.yaml'[/dim]
    """
    fleet = _load(paths, _catalog(catalog_dir))
    services = len(fleet.services)
    files = len(fleet.files)
    typer.echo(f"ok: {files} file{'s' * (files != 1)}, {services} service{'s' * (services != 1)} valid")


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


@app.command()
def recommend(
    paths: Annotated[list[str], typer.Argument(help="Service files, directories or globs.", show_default=False)],
    output_format: Annotated[ReportFormat, typer.Option("--format", "-f", help="text for people, json for scripts, markdown for pull requests.")] = ReportFormat.text,
    catalog_dir: CatalogDir = None,
    svg: SvgOption = None,
) -> None:
    """Recommend a redundancy pattern for each service: placement, write latency, tolerance, RTO/RPO and cost.

    Every candidate (backup-restore, cold standby, active-passive async or sync, active-active with consensus, LWW, CRDT or application merge, leaderless quorums, N+1 for stateless tiers) is estimated from the catalogs; those that miss an objective are rejected with the reason, and the cheapest of the rest wins.

    Exit code 0 when every service has a design, 1 when some service has none that meets every objective, 2 for bad input.
    """
    from redplan.engine.recommend import recommend_fleet
    from redplan.report import formatter_for

    _text_only(output_format.value, svg)
    report = recommend_fleet(_load(paths, _catalog(catalog_dir)))
    _write(formatter_for("recommend", output_format.value), report, svg)
    raise typer.Exit(EXIT_FINDINGS if report.summary.unmet else EXIT_OK)


class AuditFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    markdown = "markdown"


class Severity(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


@app.command()
def audit(
    paths: Annotated[list[str], typer.Argument(help="Service files, directories or globs.", show_default=False)],
    output_format: Annotated[AuditFormat | None, typer.Option("--format", "-f", help="text for people; json, sarif (code scanning), junit or github (workflow annotations) for machines; markdown for a job summary. [default: text]", show_default=False)] = None,
    fail_on: Annotated[Severity | None, typer.Option("--fail-on", help="Exit 1 when a finding has this severity or a worse one. [default: error]", show_default=False)] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Ignore findings recorded in this baseline file.", dir_okay=False)] = None,
    write_baseline_to: Annotated[Path | None, typer.Option("--write-baseline", help="Record today's findings in this file and exit 0.", dir_okay=False)] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="Processes for runs of about 450 services or more (200 kB of YAML); 0: one per CPU (Linux; elsewhere 1).")] = 0,
    catalog_dir: CatalogDir = None,
    svg: SvgOption = None,
) -> None:
    """Check what each service declares as deployed against its objectives and the coordination its pattern needs.

    Findings carry a stable rule code ([bold]redplan rules[/bold] lists them, [bold]redplan explain RP101[/bold] documents one) and the file:line:col of the YAML that causes them. Suppress one in the service with [bold]ignore: [{rule: RP101, reason: "...", expires: 2027-01-31}][/bold], or record today's findings with --write-baseline and pass --baseline so only new ones fail.

    Settings come from redplan.toml or \\[tool.redplan] in pyproject.toml (fail-on, format, catalog-dir, baseline); flags win.

    Exit code 0 when clean, 1 when a finding reaches --fail-on, 2 for bad input.
    """
    from redplan.baseline import BaselineError, read_baseline, without_baselined, write_baseline
    from redplan.config import ConfigError, load_settings
    from redplan.engine.audit import SEVERITY_ORDER, audit_run
    from redplan.parallel import default_jobs
    from redplan.report import formatter_for
    from redplan.spec.errors import SpecInputError

    try:
        settings, _ = load_settings(Path.cwd())
    except ConfigError as error:
        _fail([str(error)])
    chosen = output_format.value if output_format else (settings.format or "text")
    _text_only(chosen, svg)
    catalog = _catalog(catalog_dir or settings.catalog_dir)
    with _ProgressBar() as progress, _without_cycle_collection():
        try:
            report = audit_run(paths, catalog, jobs or default_jobs(), details=chosen == "json", progress=progress)
        except SpecInputError as invalid:
            _fail_input(invalid)
    gc.freeze()  # the report lives until exit: the formatter's collections need not scan it (a tenth of a SARIF run)
    try:
        if write_baseline_to is not None:
            count = write_baseline(write_baseline_to, report)
            typer.echo(f"wrote {count} finding{'s' * (count != 1)} to {write_baseline_to}", err=True)
            raise typer.Exit(EXIT_OK)
        baseline_path = baseline or settings.baseline
        if baseline_path is not None:
            report, known = without_baselined(report, read_baseline(baseline_path))
            if known:
                typer.echo(f"{known} finding{'s' * (known != 1)} already in {baseline_path} not shown", err=True)
    except BaselineError as error:
        _fail([str(error)])
    _write(formatter_for("audit", chosen), report, svg)
    threshold = SEVERITY_ORDER[fail_on.value if fail_on else settings.fail_on]
    failing = any(SEVERITY_ORDER[finding.severity] >= threshold for service in report.services for finding in service.findings)
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)


@app.command()
def simulate(
    paths: Annotated[list[str], typer.Argument(help="Service files, directories or globs.", show_default=False)],
    failures: Annotated[list[str], typer.Option("--fail", help="What fails; repeat it for failures that happen together (see above).", show_default=False)],
    output_format: FormatOption = OutputFormat.text,
    catalog_dir: CatalogDir = None,
    svg: SvgOption = None,
) -> None:
    """What if a provider, region, zone or node fails? For every service with a declared deployment: can it still write and read, may acknowledged data be lost (worst case), which objectives break, and which services are hit through depends_on.

    [bold]--fail[/bold] takes [bold]provider:aws[/bold], [bold]region:aws:us-east-1[/bold], [bold]az:aws:us-east-1/a[/bold] (the zone as the files write it), [bold]node:SERVICE/N[/bold] (its N-th replica, 1-based, in the order written with count expanded), or [bold]worst-region[/bold], [bold]worst-az[/bold], [bold]worst-provider[/bold]: try every region (zone, provider) a declared replica uses and keep the one that hurts most (most services that lose writes, then reads, then data, then hit through depends_on; ties by name).

    Replicas written without a zone share one zone [bold]?[/bold] per region, as the audit reads them: [bold]az:R/a[/bold] does not reach them, [bold]az:R/?[/bold] does. A service is hit when a dependency, however far down depends_on, cannot write or read. [bold]survive[/bold] is breached when the service stops and all it lost lies in one domain it must survive; [bold]rto[/bold] is at risk whenever it stops; [bold]rpo[/bold] is breached when data may be lost with an RPO of 0, or every copy is down and no recent enough backup survives.

    Exit code 0 when no objective is breached, 1 when one is (a game-day gate for CI), 2 for bad input or a --fail that names nothing real.

    [dim]Example: redplan simulate services/ --fail region:aws:us-east-1 --fail node:payments-ledger/3[/dim]
    """
    from redplan.engine.simulate import FailureSpecError, plan_failures, simulate_fleet
    from redplan.report import formatter_for

    _text_only(output_format.value, svg)
    fleet = _load(paths, _catalog(catalog_dir))
    try:
        plan = plan_failures(failures, fleet)
    except FailureSpecError as error:
        _fail([str(error)])
    report = simulate_fleet(fleet, plan)
    _write(formatter_for("simulate", output_format.value), report, svg)
    raise typer.Exit(EXIT_FINDINGS if report.summary.breaching else EXIT_OK)


@app.command()
def staleness(
    replicas: Annotated[int, typer.Option("--replicas", "-n", min=1, max=50, help="N: replicas that hold each key.")],
    write: Annotated[int, typer.Option("--write", "-w", min=1, help="W: acknowledgements a write waits for.")],
    read: Annotated[int, typer.Option("--read", "-r", min=1, help="R: replies a read waits for.")],
    model: Annotated[str, typer.Option("--model", "-m", help="Message delays fitted to production traces: LNKD-SSD, LNKD-DISK, YMMR or WAN.")] = "LNKD-SSD",
    regions: Annotated[list[str] | None, typer.Option("--region", help="Use the catalog's round trips instead: one replica per --region, the coordinator at the first (give N of them).", show_default=False)] = None,
    trials: Annotated[int, typer.Option("--trials", min=1000, max=10_000_000, help="Simulated writes.")] = 100_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the simulation: the same seed gives the same numbers.")] = 0,
    output_format: FormatOption = OutputFormat.text,
    catalog_dir: CatalogDir = None,
    svg: SvgOption = None,
) -> None:
    """How stale can reads be when W + R ≤ N? PBS (Bailis et al., VLDB 2012): the chance a read misses the last writes with random quorums (k-staleness), and how soon after a write is acknowledged reads see it (t-visibility, a seeded Monte Carlo over write, ack, read and response delays).

    The delay models are the paper's fits to LinkedIn (LNKD-SSD, LNKD-DISK) and Yammer (YMMR) production traces and its WAN case (catalogs/pbs_latency_models.yaml); with [bold]--region[/bold], each message takes half the catalog's round trip between the coordinator and the replica.

    [dim]Example: redplan staleness -n 3 -w 1 -r 1 --model LNKD-DISK[/dim]
    """
    from redplan.catalog import CatalogError
    from redplan.catalog.latency_models import load_latency_models
    from redplan.engine.staleness import staleness_report
    from redplan.report import formatter_for
    from redplan.spec.checks import did_you_mean, unknown_region_message

    _text_only(output_format.value, svg)
    problems = [f"--{name} {value} cannot exceed --replicas {replicas}" for name, value in (("write", write), ("read", read)) if value > replicas]
    if trials * replicas > MAX_SIMULATED_DELAYS:
        problems.append(f"--trials × --replicas may be at most {MAX_SIMULATED_DELAYS:,} (each draws four delays, held in memory at once)")
    catalog = _catalog(catalog_dir)
    try:
        models = load_latency_models(catalog)
    except CatalogError as error:
        _fail([f"catalog error: {error}"])
    model = {name.lower(): name for name in models}.get(model.lower(), model)
    if not regions and model not in models:
        problems.append(f"unknown model {model!r}{did_you_mean(model, list(models))} (known: {', '.join(models)})")
    problems += [unknown_region_message(region, catalog) for region in regions or [] if region not in catalog.regions]
    if regions and len(regions) != replicas:
        problems.append(f"--region was given {len(regions)} times for --replicas {replicas}: give one region per replica")
    if problems:
        _fail(problems)
    report = staleness_report(replicas, write, read, model, catalog, regions or [], trials, seed)
    _write(formatter_for("staleness", output_format.value), report, svg)


class _ProgressBar:
    """A progress bar on an interactive terminal for runs of 200 services or more; nothing in CI or when piped.

    Started at the first service audited, after any worker is forked: a fork must not copy its refresh thread.
    """

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty() and not os.environ.get("CI")
        self.total: int | None = None
        self._bar: Any = None
        self._task: Any = None

    def expect(self, total: int) -> None:
        self.total = total
        if total < 200 and self._bar is None:
            self.enabled = False
        elif self._bar is not None:
            self._bar.update(self._task, total=total)

    def advance(self) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            from rich.progress import Progress

            self._bar = Progress(transient=True)
            self._bar.start()
            self._task = self._bar.add_task("auditing", total=self.total)
        self._bar.advance(self._task)

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *_: object) -> None:
        if self._bar is not None:
            self._bar.stop()


@app.command("rules")
def list_rules() -> None:
    """List the audit rules: code, severity, slug and what each finds."""
    from rich.console import Console
    from rich.table import Table

    from redplan.rules.registry import RULES

    table = Table(box=None, padding=(0, 2, 0, 0))
    for header in ("code", "severity", "name", "finds"):
        table.add_column(header, no_wrap=header != "finds")
    for rule in RULES:
        table.add_row(rule.code, rule.severity, rule.name, rule.summary)
    Console().print(table)


@app.command()
def explain(rule: Annotated[str, typer.Argument(help="A rule code (RP101) or name (rpo-zero-without-sync).", show_default=False)]) -> None:
    """Show a rule's documentation: why it matters, a failing and a passing example."""
    import inspect

    from redplan.rules.registry import RULES, find_rule

    found = find_rule(rule)
    if found is None:
        from redplan.spec.checks import did_you_mean

        codes = [known.code for known in RULES] + [known.name for known in RULES]
        _fail([f"unknown rule {rule!r}{did_you_mean(rule, codes)} (`redplan rules` lists them)"])
    typer.echo(inspect.cleandoc(found.__doc__ or found.summary))


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.", dir_okay=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --output if it exists.")] = False,
) -> None:
    """Print the JSON Schema of the service file (spec v1), for editors and CI.

    Point yaml-language-server at it with a first line such as [bold]# yaml-language-server: $schema=redplan.schema.json[/bold]
    """
    from redplan.spec.schema import spec_json_schema

    text = json.dumps(spec_json_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    if output.exists() and not force:
        _fail([f"{output}: exists; pass --force to overwrite it"])
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output}", err=True)


@catalog_app.command("regions")
def catalog_regions(
    provider: Annotated[str | None, typer.Option("--provider", "-p", help="Only this provider: aws, azure, gcp (or dc for sites).")] = None,
    output_format: FormatOption = OutputFormat.text,
    catalog_dir: CatalogDir = None,
) -> None:
    """List the regions redplan knows, with location, continent and zone count."""
    from redplan.report.catalog import print_regions, regions_json

    catalog = _catalog(catalog_dir)
    providers = sorted(catalog.providers())
    if provider is not None and provider not in providers:
        _fail([f"unknown provider {provider!r}; known: {', '.join(providers)}"])
    regions = sorted(
        (region for region in catalog.regions.values() if provider in (None, region.provider)), key=lambda region: region.id
    )
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(regions_json(regions), indent=2))
    else:
        print_regions(regions)


@catalog_app.command("rtt")
def catalog_rtt(
    a: Annotated[str, typer.Argument(help="A region, e.g. aws:us-east-1.", show_default=False)],
    b: Annotated[str, typer.Argument(help="Another region, e.g. aws:eu-west-2.", show_default=False)],
    output_format: FormatOption = OutputFormat.text,
    catalog_dir: CatalogDir = None,
) -> None:
    """Round-trip time between two regions: the published figure and its source, or an estimate marked as one.

    Estimates come from great-circle distance at the speed of light in fiber, times an inflation fitted on the catalog's own published pairs, and never fall below the physical floor of 2 x distance / 200 km/ms.
    """
    from redplan.report.catalog import print_rtt, rtt_json
    from redplan.spec.checks import unknown_region_message

    catalog = _catalog(catalog_dir)
    unknown = [unknown_region_message(region, catalog) for region in (a, b) if region not in catalog.regions]
    if unknown:
        _fail(unknown)
    from redplan.catalog import CatalogError

    try:
        figure = catalog.rtt(a, b)
    except CatalogError as error:
        _fail([f"cannot give a round trip for {a} and {b}: {error}"])
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(rtt_json(figure), indent=2))
    else:
        print_rtt(figure)


def main() -> None:
    # A fleet loads as millions of small objects with almost no cycles: at the default
    # gen-0 threshold (700) collection took a quarter of a 10,000-service audit and found nothing.
    gc.set_threshold(50_000, 20, 20)
    try:
        app()
    except SystemExit as done:
        _hard_exit(done.code)


def _hard_exit(code: int | str | None) -> NoReturn:
    """Exit without tearing down the heap object by object: a second of a 10,000-service audit (mypy does the same)."""
    if isinstance(code, str):
        print(code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError):  # the reader went away (`| head`), or the stream is closed
            stream.flush()
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)
