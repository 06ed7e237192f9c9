"""The `newsfeed` command: the only module that parses arguments.

Each subcommand is a `Command` (its arguments, and the function it runs); adding one is adding an
entry to `COMMANDS`. The functions import what they need when they run, so `newsfeed --help`, the
Kafka tools and the model tools do not load each other's dependencies.

Each command reads only the settings it uses (`stream.settings` groups them): the worker reads them
all, a Kafka tool its connection and topics, an offline tool none of Kafka's, so a worker host's
NEWSFEED_* variables cannot stop `newsfeed train` or `classify`.

Exit status: 0 success; 1 a failure while running (broker, model artifact, a failed write) or, for
`classify`, some input lines were refused; 2 a bad argument or setting (one line on stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from contextlib import AbstractContextManager
from typing import IO, Any

from newsfeed.models.errors import NewsfeedError
from newsfeed.stream.errors import ConfigError
from newsfeed.stream.logs import configure_logging
from newsfeed.stream.security import SECURITY_FIELDS
from newsfeed.stream.settings import (OPTIONS, KafkaConnection, OfflineSettings, ProducerSettings, Settings, TopicSettings,
                             add_flags, flags_from, read_options)

log = logging.getLogger("newsfeed")

EPILOG = "exit status: 0 success, 1 failure while running (classify: some lines refused), 2 bad arguments"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _read(args: argparse.Namespace, *names: str) -> Any:
    """The named settings (flag, else NEWSFEED_* variable, else default), and no other."""
    values = read_options(names, os.environ, flags_from(args))
    return values[names[0]] if len(names) == 1 else values


def _logging(args: argparse.Namespace) -> None:
    configure_logging(_read(args, "log_level"))


def _connection(args: argparse.Namespace, kind: type[KafkaConnection] = KafkaConnection) -> Any:
    """A Kafka tool's connection settings (with `ProducerSettings`, also how long a send is retried)."""
    _logging(args)
    return kind.from_env(os.environ, flags_from(args))


def _open(path: str, mode: str) -> IO[bytes]:
    try:
        return open(path, mode)  # noqa: SIM115 (the caller's `with` closes it)
    except OSError as exc:
        raise ConfigError(f"cannot open {path}: {exc.strerror or exc}") from None


def _input(path: str) -> AbstractContextManager[IO[bytes]]:
    """The file to read, or stdin for '-' (left open on exit)."""
    return contextlib.nullcontext(sys.stdin.buffer) if path == "-" else _open(path, "rb")


def _output(path: str | None) -> AbstractContextManager[IO[bytes]]:
    """The file to write, or stdout when None (left open on exit)."""
    return contextlib.nullcontext(sys.stdout.buffer) if path is None else _open(path, "wb")


# --- worker ------------------------------------------------------------------------------------

def _worker_arguments(parser: argparse.ArgumentParser) -> None:
    add_flags(parser, [option.field for option in OPTIONS])


def _run_worker(args: argparse.Namespace) -> int:
    from newsfeed.stream.app import install_stop_signals, run_worker

    settings = Settings.from_env(os.environ, flags_from(args))
    configure_logging(settings.log_level)
    stop = threading.Event()
    install_stop_signals(stop)
    run_worker(settings, stop)
    return 0


# --- classify ----------------------------------------------------------------------------------

def _classify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", default="-", metavar="FILE",
                        help="JSON Lines of raw articles (default: stdin)")
    parser.add_argument("-o", "--output", metavar="OUT", help="write enriched records here (default: stdout)")
    parser.add_argument("--text", action="store_true",
                        help="read the whole input as the plain text of one article")
    add_flags(parser, ["model_dir", "batch_size", "max_input_bytes", "max_json_depth", "max_text_chars",
                       "log_level"])


def _run_classify(args: argparse.Namespace) -> int:
    from newsfeed.stream.app import default_classify, load_model
    from newsfeed.stream.batch import Enriched, classify_lines, decode_all, enrich_batch
    from newsfeed.stream.codec import decode_text

    _logging(args)
    settings = OfflineSettings.from_env(os.environ, flags_from(args))
    with _input(args.file) as source, _output(args.output) as out:
        model, classify = load_model(settings.model_dir), default_classify()
        if args.text:
            items = decode_all([source.read()], settings.limits, decode=decode_text)
            judged: Any = [(None, outcome) for outcome in enrich_batch(items, model, classify)]
        else:
            judged = classify_lines(source, model, classify, settings.limits, settings.batch_size)
        refused = 0
        for line, outcome in judged:
            if isinstance(outcome, Enriched):
                out.write(outcome.value + b"\n")
            else:
                refused += 1
                error = {"line": line, "reason": outcome.reason, "message": outcome.message}
                sys.stderr.write(json.dumps(error) + "\n")
    return 1 if refused else 0


# --- explain -----------------------------------------------------------------------------------

def _explain_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", metavar="FILE", help="one article as a JSON object ('-' for stdin)")
    source.add_argument("--text", metavar="FILE", help="the whole file as the plain text of one article")
    add_flags(parser, ["model_dir"])


def _run_explain(args: argparse.Namespace) -> int:
    from newsfeed.models.explain import COLOUR, PLAIN, explain
    from newsfeed.models.schema import InvalidArticle
    from newsfeed.stream.app import load_model
    from newsfeed.stream.codec import decode_article, decode_text

    configure_logging("ERROR")  # the view is the output; a log line would only get in its way
    settings = Settings.from_env(os.environ, flags_from(args))
    path = args.text if args.text is not None else args.file
    with _input(path) as source:
        value = source.read()
    try:
        article = (decode_text if args.text is not None else decode_article)(value, settings.limits)
    except InvalidArticle as exc:
        raise ConfigError(f"{path} is not an article ({exc.reason}): {exc.message}") from None
    # Colour only for a person at a terminal; NO_COLOR (no-color.org) turns it off there too.
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    try:
        model = load_model(settings.model_dir)
    except NewsfeedError as exc:
        # For a person: the reason in one plain line, not a JSON log record (exit 1, a failure to run).
        sys.stderr.write(f"newsfeed explain: error: {exc}\n")
        return 1
    sys.stdout.write(explain(article, model, COLOUR if colour else PLAIN))
    return 0


# --- schema ------------------------------------------------------------------------------------

def _schema_arguments(parser: argparse.ArgumentParser) -> None:
    from newsfeed.models.contract import SCHEMAS

    parser.add_argument("name", nargs="?", default="output", choices=tuple(SCHEMAS), metavar="NAME",
                        help=f"which document: {', '.join(SCHEMAS)} (default output, the enriched record)")


def _run_schema(args: argparse.Namespace) -> int:
    from newsfeed.models.contract import schema_text

    sys.stdout.write(schema_text(args.name))
    return 0


# --- produce / consume / topics ----------------------------------------------------------------

def _produce_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topic", required=True, help="topic to write to")
    parser.add_argument("file", metavar="FILE", help="JSON Lines, one record per line ('-' for stdin)")
    add_flags(parser, ["bootstrap_servers", *SECURITY_FIELDS, "log_level"])


def _run_produce(args: argparse.Namespace) -> int:
    from newsfeed.stream.codec import Limits
    from newsfeed.stream.topics import produce_file

    settings = _connection(args, ProducerSettings)
    # the worker's decoder limits: a line gets the key (article id) the worker would read from it
    limits = Limits(**_read(args, "max_input_bytes", "max_json_depth", "max_text_chars"))
    with _input(args.file) as source:
        count = produce_file(settings, args.topic, source, limits)
    log.info("records produced", extra={"topic": args.topic, "records": count})
    return 0


def _consume_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topic", required=True, help="topic to read, from its beginning")
    parser.add_argument("--max", type=int, metavar="N", help="stop after N records")
    parser.add_argument("--follow", action="store_true", help="keep waiting for new records at the end")
    parser.add_argument("--idle-timeout", type=float, metavar="SECONDS",
                        help="stop after this long without a record")
    parser.add_argument("--envelope", action="store_true",
                        help="print each record as a JSON object with topic, partition, offset, key, headers "
                             "and value, instead of the value alone")
    add_flags(parser, ["bootstrap_servers", *SECURITY_FIELDS, "log_level"])


def _run_consume(args: argparse.Namespace) -> int:
    from newsfeed.stream.topics import read_records, read_topic, record_envelope

    if args.max is not None and args.max <= 0:
        raise ConfigError("--max must be a positive number")
    out = sys.stdout.buffer
    with read_topic(_connection(args), args.topic) as reader:
        for record in read_records(reader, args.max, args.follow, args.idle_timeout):
            if args.envelope:
                out.write(json.dumps(record_envelope(record), ensure_ascii=False).encode() + b"\n")
            else:
                out.write((record.value or b"") + b"\n")
            out.flush()
    return 0


def _topics_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    create = actions.add_parser("create", help="create the input, output and dead-letter topics if missing",
                                epilog=EPILOG)
    add_flags(create, ["bootstrap_servers", *SECURITY_FIELDS, "input_topic", "output_topic", "dead_letter_topic",
                       "partitions", "log_level"])


def _run_topics(args: argparse.Namespace) -> int:
    from newsfeed.stream.topics import create_topics

    connection = _connection(args)
    for row in create_topics(connection, TopicSettings.from_env(os.environ, flags_from(args))):
        sys.stdout.write(json.dumps(row) + "\n")
    return 0


# --- dlq ---------------------------------------------------------------------------------------

def _dlq_arguments(parser: argparse.ArgumentParser) -> None:
    from newsfeed.models.schema import DEAD_LETTER_REASONS

    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    inspect = actions.add_parser("inspect", help="count a dead-letter topic's records by reason, with samples",
                                 epilog=EPILOG)
    inspect.add_argument("--samples", type=int, default=3, metavar="N", help="samples shown per reason (default 3)")
    redrive = actions.add_parser(
        "redrive", epilog=EPILOG,
        help="re-send dead letters to the input topic after a fix, at most once each, marked by a "
             "newsfeed.redrive header")
    redrive.add_argument("--reason", choices=DEAD_LETTER_REASONS, metavar="REASON",
                         help=f"only dead letters of this reason ({', '.join(DEAD_LETTER_REASONS)})")
    redrive.add_argument("--dry-run", action="store_true", help="say what would be re-sent, send nothing")
    for action in (inspect, redrive):
        action.add_argument("--topic", metavar="TOPIC",
                            help="the dead-letter topic [default: NEWSFEED_DEAD_LETTER_TOPIC, or articles.raw.dlq]")
        add_flags(action, ["bootstrap_servers", *SECURITY_FIELDS, "log_level"])
    add_flags(redrive, ["input_topic"])


def _run_dlq(args: argparse.Namespace) -> int:
    from newsfeed.stream.dlq import inspect, plan_redrive, read_dead_letters, redrive_to

    if args.action == "inspect" and args.samples < 0:
        raise ConfigError("--samples must be 0 or more")
    settings = _connection(args, ProducerSettings if args.action == "redrive" else KafkaConnection)
    topic = args.topic or _read(args, "dead_letter_topic")
    found = read_dead_letters(settings, topic)
    if args.action == "inspect":
        sys.stdout.write(json.dumps({"topic": topic, **inspect(found, args.samples)}, indent=2,
                                    ensure_ascii=False) + "\n")
        return 0
    plan = plan_redrive(found, args.reason)
    input_topic = _read(args, "input_topic")
    sent = 0 if args.dry_run else redrive_to(settings, topic, input_topic, plan.to_send)
    sys.stdout.write(json.dumps({
        "topic": topic, "to": input_topic, "reason": args.reason, "dry_run": args.dry_run,
        "selected": len(plan.to_send), "redriven": sent,
        "skipped_already_redriven": plan.already_redriven, "skipped_failed_again": plan.failed_again,
        "skipped_other_reasons": plan.other_reasons}) + "\n")
    return 0


# --- shadow report ------------------------------------------------------------------------------

def _shadow_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    summary = actions.add_parser(
        "report", epilog=EPILOG,
        help="summarise a shadow topic: per topic label, the articles the champion and the shadow model "
             "disagreed on each way, with sample ids, titles, both scores and both models' evidence")
    summary.add_argument("--topic", metavar="TOPIC",
                         help="the shadow topic [default: NEWSFEED_SHADOW_TOPIC]")
    summary.add_argument("--samples", type=int, default=5, metavar="N",
                         help="sample articles shown per label and direction (default 5)")
    add_flags(summary, ["bootstrap_servers", *SECURITY_FIELDS, "log_level"])


def _run_shadow(args: argparse.Namespace) -> int:
    from newsfeed.stream.shadow_report import report
    from newsfeed.stream.topics import read_records, read_topic

    topic = args.topic or _read(args, "shadow_topic")
    if topic is None:
        raise ConfigError("which shadow topic? give --topic (or set NEWSFEED_SHADOW_TOPIC)")
    if args.samples < 0:
        raise ConfigError("--samples must be 0 or more")
    with read_topic(_connection(args), topic) as reader:
        summary = report(read_records(reader), args.samples)
    sys.stdout.write(json.dumps({"topic": topic, **summary}, indent=2, ensure_ascii=False) + "\n")
    return 0


# --- train / evaluate / promote ------------------------------------------------------------------

def _data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, metavar="DIR",
                        help="the data directory (e.g. ../shared/data: wikipedia-current-events/, nasa-news-2024/, "
                             "whitehouse-briefing-room/, agnews-test/)")


def _existing_dir(path: str, what: str) -> str:
    if not os.path.isdir(path):
        raise ConfigError(f"{what} {path} is not a directory")
    return path


def _progress(message: str) -> None:
    log.info(message)


def _train_arguments(parser: argparse.ArgumentParser) -> None:
    _data_argument(parser)
    parser.add_argument("--out", required=True, metavar="DIR", help="write the artifact to DIR/<version>/")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the split and the solver (default 0)")
    add_flags(parser, ["log_level"])


def _run_train(args: argparse.Namespace) -> int:
    from newsfeed.training.fit import FitConfig
    from newsfeed.training.train import train

    _logging(args)
    directory = train(_existing_dir(args.data, "--data"), args.out, FitConfig(seed=args.seed), _progress)
    sys.stdout.write(f"{directory}\n")
    return 0


def _evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    _data_argument(parser)
    parser.add_argument("--out", default="var/eval", metavar="DIR",
                        help="write report.md, report.json and gold-curves.svg here (default var/eval)")
    parser.add_argument("--no-splits", action="store_true",
                        help="skip the retrain-and-test splits (time split, each source held out): minutes faster")
    add_flags(parser, ["model_dir", "log_level"])


def _run_evaluate(args: argparse.Namespace) -> int:
    from newsfeed.models.artifact import load_model
    from newsfeed.models.model_registry import resolve_model_dir
    from newsfeed.training.evaluate import evaluate_all
    from newsfeed.training.fit import FitConfig
    from newsfeed.training.report import write_report

    _logging(args)
    model = load_model(resolve_model_dir(_read(args, "model_dir")))
    config = None if args.no_splits else FitConfig(**model.metadata.get("fit_config", {}))
    report, rows = evaluate_all(model, _existing_dir(args.data, "--data"), config, _progress)
    paths = write_report(report, rows, args.out)
    sys.stdout.write(paths["markdown"].read_text(encoding="utf-8"))
    return 0


def _promote_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("artifact", nargs="?", metavar="DIR", help="the artifact directory to promote")
    parser.add_argument("--registry", required=True, metavar="DIR",
                        help="the registry whose current pointer the worker follows (the project's shipped "
                             "default is models/registry)")
    parser.add_argument("--data", metavar="DIR", help="the data directory holding the gold set's texts (needed for DIR)")
    parser.add_argument("--to", metavar="VERSION",
                        help="roll back (or forward) to a version the registry already holds: no gate, it passed "
                             "one when it was first promoted")
    add_flags(parser, ["log_level"])


def _run_promote(args: argparse.Namespace) -> int:
    from newsfeed.models.model_registry import set_current
    from newsfeed.training.promote import promote

    _logging(args)
    if (args.artifact is None) == (args.to is None):
        raise ConfigError("give either an artifact DIR to promote or --to VERSION to switch to")
    if args.to is not None:
        set_current(args.registry, args.to)
        sys.stdout.write(json.dumps({"promoted": True, "version": args.to, "gate": "skipped (rollback)"}) + "\n")
        return 0
    if args.data is None:
        raise ConfigError("promoting an artifact needs --data: the gate scores it on the gold set")
    result = promote(_existing_dir(args.artifact, "artifact"), args.registry, _existing_dir(args.data, "--data"))
    sys.stdout.write(json.dumps({"promoted": result.passed, "reasons": result.reasons, "candidate": result.candidate,
                                 "champion": result.champion, "net_new_errors": result.net_new_errors,
                                 "macro_f1_difference_90pct": result.macro_difference_interval}) + "\n")
    return 0 if result.passed else 1


# --- model convert / inspect / diff --------------------------------------------------------------

def _model_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    convert = actions.add_parser(
        "convert", epilog=EPILOG,
        help="rewrite a format-1 (pickle) artifact once as format 2, with the package's gazetteer frozen into it")
    convert.add_argument("source", metavar="SRC", help="the format-1 artifact directory")
    convert.add_argument("target", metavar="DST", help="the new artifact directory (must not exist, or be empty)")
    inspect = actions.add_parser("inspect", epilog=EPILOG,
                                 help="check an artifact and show its version, files, labels, thresholds and gazetteer")
    inspect.add_argument("artifact", metavar="DIR", help="an artifact directory, or a registry (its current version)")
    diff = actions.add_parser(
        "diff", epilog=EPILOG,
        help="what changes from artifact A to B: thresholds, vocabulary, gazetteer rows and, with --data, "
             "the enrichments of a sample of articles")
    diff.add_argument("a", metavar="A", help="the first artifact directory (or registry)")
    diff.add_argument("b", metavar="B", help="the second artifact directory (or registry)")
    diff.add_argument("--data", metavar="DIR", help="a data directory (e.g. ../shared/data) to sample articles from")
    diff.add_argument("--sample", type=int, default=1000, metavar="N",
                      help="how many articles of --data to enrich with both models (default 1000)")
    rates = actions.add_parser(
        "rates", epilog=EPILOG,
        help="write an artifact again with each topic label's expected rate (the share of judged articles it "
             "assigns the label) measured on ARTICLES, for the drift alarm; `newsfeed train` records them itself")
    rates.add_argument("source", metavar="SRC", help="the artifact directory (or registry: its current one)")
    rates.add_argument("target", metavar="DST", help="the new artifact directory (must not exist, or be empty)")
    rates.add_argument("--articles", required=True, metavar="FILE",
                       help="JSON Lines of the articles the model was validated on (as `newsfeed classify` reads)")
    rates.add_argument("--described-as", default=None, metavar="TEXT",
                       help="what those articles are, for the metadata and model card (default: the file name)")
    calibrate = actions.add_parser(
        "calibrate", epilog=EPILOG,
        help="re-fit a model's topic scores and choose its thresholds again on articles of your own sources that a "
             "person labelled; writes a new version beside SRC's heads, vocabulary and gazetteer, unchanged")
    calibrate.add_argument("source", metavar="SRC", help="the artifact directory (or registry: its current one)")
    calibrate.add_argument("--labels", required=True, metavar="FILE",
                           help="JSON Lines: each line an article as `newsfeed classify` reads it, with a `topics` "
                                "list of the topics a person gave it by the label definitions ([] for none); a few "
                                "hundred, with at least 10 articles with and 10 without each topic to re-fit it")
    calibrate.add_argument("--out", default="var/artifacts", metavar="DIR",
                           help="where the new version's directory is written (default var/artifacts)")
    calibrate.add_argument("--described-as", default=None, metavar="TEXT",
                           help="what the labelled articles are, for the metadata and model card (default: the file "
                                "name)")


def _run_model(args: argparse.Namespace) -> int:
    from newsfeed.models.model_registry import resolve_model_dir

    configure_logging("INFO")  # offline tools: no worker setting is read, so none can refuse to parse
    if args.action == "convert":
        from newsfeed.models.convert import convert_model

        model = convert_model(_existing_dir(args.source, "SRC"), args.target)
        sys.stdout.write(json.dumps({"converted": str(model.path), "version": model.version, "sha256": model.sha256})
                         + "\n")
        return 0
    if args.action == "rates":
        return _write_rates(args, resolve_model_dir(_existing_dir(args.source, "SRC")))
    if args.action == "calibrate":
        return _calibrate(args, resolve_model_dir(_existing_dir(args.source, "SRC")))
    from newsfeed.models.inspection import diff_artifacts, inspect_artifact, sample_articles

    if args.action == "inspect":
        report = inspect_artifact(resolve_model_dir(_existing_dir(args.artifact, "DIR")))
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        return 0 if report["checks"].startswith("ok") else 1
    if args.sample <= 0:
        raise ConfigError("--sample must be a positive number")
    a, b = (resolve_model_dir(_existing_dir(path, name)) for path, name in ((args.a, "A"), (args.b, "B")))
    articles = sample_articles(_existing_dir(args.data, "--data"), args.sample) if args.data else []
    sys.stdout.write(json.dumps(diff_artifacts(a, b, articles), indent=2, ensure_ascii=False) + "\n")
    return 0


def _judged(lines: Any, model: Any) -> list[tuple[int, Any]]:
    """(line number, Enriched outcome) of each article of JSON Lines `lines` that `model` judged, read with
    the worker's default input limits whatever this host's variables say: offline measures of what a
    worker judges (`model rates`, `model calibrate`)."""
    from newsfeed.stream.app import default_classify
    from newsfeed.stream.batch import Enriched, classify_lines

    settings = OfflineSettings.from_env({})
    return [(number, outcome) for number, outcome
            in classify_lines(lines, model, default_classify(), settings.limits, settings.batch_size)
            if isinstance(outcome, Enriched)]


def _write_rates(args: argparse.Namespace, source: Any) -> int:
    from newsfeed.models.artifact import load_model
    from newsfeed.training.rates import expected_rates, write_with_rates

    with _input(args.articles) as lines:
        enrichments = [outcome.enrichment for _, outcome in _judged(lines, load_model(source))]
    entry = expected_rates(enrichments, args.described_as or os.path.basename(args.articles))
    if not entry["articles"]:
        raise ConfigError(f"{args.articles}: no article the model judged (status ok); no rate to measure")
    model = write_with_rates(source, args.target, entry)
    sys.stdout.write(json.dumps({"written": str(model.path), "version": model.version, "sha256": model.sha256,
                                 "expected_rates": entry}) + "\n")
    return 0


def _calibrate(args: argparse.Namespace, source: Any) -> int:
    from pathlib import Path

    from newsfeed.models.artifact import load_model
    from newsfeed.training.calibrate import labelled_scores, read_labels, write_calibrated

    with _input(args.labels) as handle:
        lines = list(handle)  # read twice, and FILE may be stdin ('-'): a few hundred articles
    labels = read_labels(lines, args.labels)
    model = load_model(source)
    rows = labelled_scores(labels, [(number, outcome.article, outcome.enrichment)
                                    for number, outcome in _judged(lines, model)])
    calibrated, summary = write_calibrated(Path(source), Path(args.out), model, rows,
                                           args.described_as or os.path.basename(args.labels))
    sys.stdout.write(json.dumps({"written": str(calibrated.path), "version": calibrated.version,
                                 "sha256": calibrated.sha256, "from": model.version, "labelled": len(labels),
                                 "judged": len(rows), "topics": summary["topics"]}) + "\n")
    return 0


COMMANDS: tuple[Command, ...] = (
    Command("worker", "run a classifier worker in the consumer group", _worker_arguments, _run_worker),
    Command("classify", "classify JSON Lines (or one text) without Kafka, exactly as the worker does",
            _classify_arguments, _run_classify),
    Command("explain", "show one article's labels, scores, thresholds and countries, with its evidence highlighted "
            "(colour on a terminal unless NO_COLOR is set, [[n-gram]] and {{country}} markers otherwise)", _explain_arguments, _run_explain),
    Command("schema", "print the JSON Schema (draft 2020-12) of the input article, the enriched record or the "
            "dead-letter headers", _schema_arguments, _run_schema),
    Command("produce", "write JSON Lines into a topic, one record per line", _produce_arguments, _run_produce),
    Command("consume", "print the records of a topic from its beginning", _consume_arguments, _run_consume),
    Command("topics", "manage the worker's topics (`topics create`)", _topics_arguments, _run_topics),
    Command("dlq", "inspect a dead-letter topic, or re-send its records after a fix (`dlq inspect|redrive`)",
            _dlq_arguments, _run_dlq),
    Command("shadow", "summarise what a shadow model (worker --shadow-model) disagreed on (`shadow report`)",
            _shadow_arguments, _run_shadow),
    Command("train", "train a model artifact from a data directory", _train_arguments, _run_train),
    Command("evaluate", "evaluate a model: gold set, seed article, AG News, time and source splits",
            _evaluate_arguments, _run_evaluate),
    Command("promote", "gate a model against the registry's current one, then make it current",
            _promote_arguments, _run_promote),
    Command("model", "convert a format-1 artifact, inspect an artifact, diff two, add expected label rates to one, "
            "or calibrate one for your own sources (`model convert|inspect|diff|rates|calibrate`)",
            _model_arguments, _run_model),
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="newsfeed", description="Streaming news classifier: topics, regions and countries "
                     "for every article on a Kafka topic.", epilog=EPILOG)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        sub = commands.add_parser(command.name, help=command.help, description=command.help, epilog=EPILOG)
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as exc:
        sys.stderr.write(f"newsfeed {args.command}: error: {exc}\n")
        return 2
    except NewsfeedError as exc:
        log.error("%s failed: %s", args.command, exc, extra={"error_type": type(exc).__name__})
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
