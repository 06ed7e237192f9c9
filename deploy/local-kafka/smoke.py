"""End-to-end smoke check of the local broker with kafka-python (the client the project uses).

    bash deploy/local-kafka/kafka.sh start
    .venv/bin/python deploy/local-kafka/smoke.py               # create topic, produce, consume
    .venv/bin/python deploy/local-kafka/smoke.py --expect-topic  # after a restart: topic kept?

Checks, in order: the cluster answers describe_cluster(); the broker's settings the project
relies on are in force; the topic exists with 4 partitions (created unless --expect-topic);
a producer's records all land; a consumer in a group reads every one of them back and commits;
a record for a missing topic is refused (auto-creation is off). Prints one JSON summary line
and exits 0, or exits 1 with the reason.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

EXPECTED_BROKER_CONFIG = {
    "message.max.bytes": "1048588",
    "auto.create.topics.enable": "false",
    "group.initial.rebalance.delay.ms": "0",
    "group.min.session.timeout.ms": "1000",
    "offsets.topic.replication.factor": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
}


def default_bootstrap() -> str:
    """Asks `kafka.sh status` for the address, so a non-default KAFKA_PORT is followed."""
    script = Path(__file__).with_name("kafka.sh")
    done = subprocess.run(["bash", str(script), "status"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"smoke: broker not running: {done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1]


def fail(message: str) -> None:
    raise SystemExit(f"smoke: FAILED: {message}")


def check_broker_config(admin: KafkaAdminClient, broker_id: int) -> None:
    wanted = {key: None for key in EXPECTED_BROKER_CONFIG}
    resource = ConfigResource(ConfigResourceType.BROKER, str(broker_id), configs=wanted)
    described = admin.describe_configs([resource], config_filter="all")
    actual = described["broker"][str(broker_id)]
    for key, value in EXPECTED_BROKER_CONFIG.items():
        got = actual.get(key, {}).get("value")
        if got != value:
            fail(f"broker config {key}={got!r}, expected {value!r}")


def ensure_topic(admin: KafkaAdminClient, topic: str, partitions: int, must_exist: bool) -> bool:
    """Returns True when the topic was created by this call."""
    created = False
    if topic not in admin.list_topics():
        if must_exist:
            fail(f"topic {topic} is missing (expected it to survive the restart)")
        try:
            admin.create_topics([NewTopic(topic, partitions, 1)], timeout_ms=15000)
            created = True
        except TopicAlreadyExistsError:
            pass
    deadline = time.monotonic() + 15
    while True:
        info = admin.describe_topics([topic])[0]
        count = len(info.get("partitions") or [])
        if info.get("error_code", 0) == 0 and count == partitions:
            return created
        if time.monotonic() > deadline:
            fail(f"topic {topic} has {count} partitions (error {info.get('error_code')}), expected {partitions}")
        time.sleep(0.2)


def produce(bootstrap: str, topic: str, run_id: str, count: int) -> dict[int, int]:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    try:
        futures = [
            producer.send(topic, key=f"key-{i}".encode(), value=f"{run_id}:{i}".encode())
            for i in range(count)
        ]
        producer.flush(timeout=30)
        per_partition: dict[int, int] = {}
        for future in futures:
            meta = future.get(timeout=10)  # raises if that record failed
            per_partition[meta.partition] = per_partition.get(meta.partition, 0) + 1
        return per_partition
    finally:
        producer.close(timeout=10)


def consume(bootstrap: str, topic: str, group: str, run_id: str, count: int, timeout_s: float) -> tuple[int, int]:
    """Returns (records of this run read, records of earlier runs read on the way)."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
    )
    seen: set[str] = set()
    older = 0
    prefix = f"{run_id}:"
    try:
        deadline = time.monotonic() + timeout_s
        while len(seen) < count and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    value = record.value.decode()
                    if value.startswith(prefix):
                        seen.add(value)
                    else:
                        older += 1  # before this run's records: the group had no offsets yet
        consumer.commit()
    finally:
        consumer.close()
    if len(seen) != count:
        fail(f"consumer group {group} read back {len(seen)} of {count} records")
    return len(seen), older


def check_no_auto_create(bootstrap: str) -> None:
    missing = f"smoke-missing-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(bootstrap_servers=bootstrap, max_block_ms=2000)
    try:
        try:
            producer.send(missing, value=b"x").get(timeout=5)
        except KafkaError:
            return
        fail(f"a record for the missing topic {missing} was accepted (auto-creation is on?)")
    finally:
        producer.close(timeout=5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", help="host:port (default: ask kafka.sh status)")
    parser.add_argument("--topic", default="smoke-local-kafka")
    parser.add_argument("--group", default="smoke-local-kafka-group")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--expect-topic", action="store_true", help="fail if the topic does not exist yet")
    args = parser.parse_args(argv)

    bootstrap = args.bootstrap or default_bootstrap()
    started = time.monotonic()
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        cluster = admin.describe_cluster()
        brokers = cluster["brokers"]
        if len(brokers) != 1:
            fail(f"expected one broker, got {brokers}")
        check_broker_config(admin, brokers[0]["broker_id"])
        created = ensure_topic(admin, args.topic, args.partitions, args.expect_topic)
    finally:
        admin.close()

    run_id = uuid.uuid4().hex
    per_partition = produce(bootstrap, args.topic, run_id, args.messages)
    if len(per_partition) != args.partitions:
        fail(f"records landed in partitions {sorted(per_partition)}, expected all {args.partitions}")
    read, older = consume(bootstrap, args.topic, args.group, run_id, args.messages, timeout_s=60)
    check_no_auto_create(bootstrap)

    print(json.dumps({
        "ok": True,
        "bootstrap": bootstrap,
        "cluster_id": cluster["cluster_id"],
        "topic": args.topic,
        "topic_created": created,
        "produced_per_partition": dict(sorted(per_partition.items())),
        "consumed": read,
        "older_records_read": older,
        "seconds": round(time.monotonic() - started, 2),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
