#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker + controller in one JVM) for development and
# integration tests, built from the broker jars on Maven Central: no Docker, no .tgz.
# Run `kafka.sh --help` for commands and settings; README.md beside this file has the details.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"

DEFAULT_VERSION=4.1.1
DEFAULT_PORT=9092
DEFAULT_CONTROLLER_PORT=9093
READY_TIMEOUT_S=90
STOP_TIMEOUT_S=30
HOST=127.0.0.1

usage_line() {
    echo "usage: kafka.sh {fetch|start|stop|status|wipe|--help}  (env: KAFKA_STATE_DIR, KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_VERSION)" >&2
}

print_help() {
    cat <<EOF
kafka.sh: a local single-node Apache Kafka broker (KRaft, combined broker+controller on
$HOST), run from the Kafka jars on Maven Central.

Commands:
  fetch    download the broker jars with Maven into \$KAFKA_STATE_DIR/lib (skipped when that
           version is already there)
  start    fetch if needed, format the storage once, start the broker in the background and
           wait until it is ready (at most ${READY_TIMEOUT_S} s); prints the bootstrap address
           (e.g. $HOST:$DEFAULT_PORT) as the last line of stdout. Already running: prints it.
  stop     SIGTERM, wait up to ${STOP_TIMEOUT_S} s, then SIGKILL. Not running: nothing to do.
  status   exit 0 and print the bootstrap address if the broker runs and its port accepts
           connections, else exit 1 with a one-line message
  wipe     stop, then delete the data and logs (the fetched jars are kept)

Environment:
  KAFKA_STATE_DIR        where jars, data, config and logs live (default: <repo>/.kafka;
                         now: $(state_dir_display))
  KAFKA_PORT             client (PLAINTEXT) port (default $DEFAULT_PORT)
  KAFKA_CONTROLLER_PORT  KRaft controller port (default $DEFAULT_CONTROLLER_PORT)
  KAFKA_VERSION          org.apache.kafka:kafka_2.13 version to fetch (default $DEFAULT_VERSION)

Optional SASL_SSL listener (for tests of authenticated clients; off unless KAFKA_SASL_SSL_PORT is set):
  KAFKA_SASL_SSL_PORT    its port on $HOST; SCRAM-SHA-512 and PLAIN over TLS
  KAFKA_SSL_KEYSTORE     PKCS12 file with the broker's private key and certificate (for $HOST)
  KAFKA_SSL_KEYSTORE_PASSWORD  the keystore's (and key's) password
  KAFKA_SSL_TRUSTSTORE   optional PEM file of CA certificates: when set, clients must present a
                         certificate signed by one of them (ssl.client.auth=required)
  KAFKA_SASL_USERS       user:password[,user:password...] (letters, digits, . _ -): SCRAM-SHA-512
                         credentials created when the storage is formatted, and PLAIN users

The ports are recorded when the storage is formatted and reused afterwards; asking for other
ports for an existing data dir is refused (run 'wipe' first to change them). So are the SCRAM
user names: they live in the formatted metadata.
Logs: \$KAFKA_STATE_DIR/logs/server.log (broker) and kafka.out (JVM stdout/stderr).
EOF
}

log() { echo "kafka.sh: $*" >&2; }
die() { echo "kafka.sh: error: $*" >&2; exit 1; }

state_dir_display() {
    local s="${KAFKA_STATE_DIR:-$REPO_ROOT/.kafka}"
    echo "$s"
}

# ---------------------------------------------------------------------------------------------
# Settings and paths
# ---------------------------------------------------------------------------------------------
init_paths() {
    STATE="${KAFKA_STATE_DIR:-$REPO_ROOT/.kafka}"
    [[ -n "$STATE" && "$STATE" != "/" ]] || die "KAFKA_STATE_DIR must not be empty or /"
    mkdir -p "$STATE"
    STATE="$(cd "$STATE" && pwd)"
    LIB="$STATE/lib"
    DATA="$STATE/data"
    LOGS="$STATE/logs"
    CONF_DIR="$STATE/config"
    CONF="$CONF_DIR/server.properties"
    PIDFILE="$STATE/kafka.pid"
    FORMAT_FILE="$STATE/format.properties"
    LOCKFILE="$STATE/.lock"
    VERSION="${KAFKA_VERSION:-$DEFAULT_VERSION}"
    [[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+([.-][A-Za-z0-9.-]+)?$ ]] \
        || die "KAFKA_VERSION '$VERSION' does not look like a Kafka version (e.g. $DEFAULT_VERSION)"
}

valid_port() { [[ "$1" =~ ^[0-9]+$ ]] && (( $1 >= 1 && $1 <= 65535 )); }

# What was recorded when the data dir was formatted: "key=value" lines with the ports, the
# cluster id and the newest Kafka version that has run on the data. Sets STORED_*.
read_format_file() {
    STORED_PORT=""
    STORED_CONTROLLER_PORT=""
    STORED_VERSION=""
    STORED_CLUSTER_ID=""
    STORED_SCRAM_USERS=""
    [[ -f "$FORMAT_FILE" ]] || return 1
    local key value
    while IFS='=' read -r key value; do
        case "$key" in
            port) STORED_PORT="$value" ;;
            controller_port) STORED_CONTROLLER_PORT="$value" ;;
            kafka_version) STORED_VERSION="$value" ;;
            cluster_id) STORED_CLUSTER_ID="$value" ;;
            scram_users) STORED_SCRAM_USERS="$value" ;;
        esac
    done <"$FORMAT_FILE"
    valid_port "$STORED_PORT" && valid_port "$STORED_CONTROLLER_PORT" \
        || die "$FORMAT_FILE is damaged (expected port=N and controller_port=N lines); run 'wipe' to start over"
}

# Sets PORT and CONTROLLER_PORT: the ones recorded at format time if any (refusing different
# ones asked through the environment), else the environment's or the defaults.
resolve_ports() {
    local want_port="${KAFKA_PORT:-}" want_cport="${KAFKA_CONTROLLER_PORT:-}"
    if [[ -n "$want_port" ]] && ! valid_port "$want_port"; then
        die "KAFKA_PORT '$want_port' is not a port number"
    fi
    if [[ -n "$want_cport" ]] && ! valid_port "$want_cport"; then
        die "KAFKA_CONTROLLER_PORT '$want_cport' is not a port number"
    fi
    if read_format_file; then
        if [[ -n "$want_port" && "$want_port" != "$STORED_PORT" ]] \
            || [[ -n "$want_cport" && "$want_cport" != "$STORED_CONTROLLER_PORT" ]]; then
            die "the data dir $DATA was formatted for ports $STORED_PORT/$STORED_CONTROLLER_PORT" \
                "(client/controller) but KAFKA_PORT/KAFKA_CONTROLLER_PORT ask for" \
                "${want_port:-$STORED_PORT}/${want_cport:-$STORED_CONTROLLER_PORT}; unset them," \
                "or run 'wipe' to reformat with new ports"
        fi
        PORT="$STORED_PORT"
        CONTROLLER_PORT="$STORED_CONTROLLER_PORT"
    else
        PORT="${want_port:-$DEFAULT_PORT}"
        CONTROLLER_PORT="${want_cport:-$DEFAULT_CONTROLLER_PORT}"
    fi
    [[ "$PORT" != "$CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
    ADDRESS="$HOST:$PORT"
}

write_format_file() {
    printf 'port=%s\ncontroller_port=%s\ncluster_id=%s\nkafka_version=%s\nscram_users=%s\n' \
        "$PORT" "$CONTROLLER_PORT" "$1" "$2" "${3:-${STORED_SCRAM_USERS:-}}" >"$FORMAT_FILE.tmp"
    mv "$FORMAT_FILE.tmp" "$FORMAT_FILE"
}

# Sets SASL_PORT (empty: no SASL_SSL listener), SASL_USERS (user:password list) and SCRAM_NAMES
# (the user names, comma-separated) from the environment, refusing what cannot work.
resolve_sasl() {
    SASL_PORT="${KAFKA_SASL_SSL_PORT:-}"
    SASL_USERS=""
    SCRAM_NAMES=""
    [[ -n "$SASL_PORT" ]] || return 0
    valid_port "$SASL_PORT" || die "KAFKA_SASL_SSL_PORT '$SASL_PORT' is not a port number"
    [[ "$SASL_PORT" != "$PORT" && "$SASL_PORT" != "$CONTROLLER_PORT" ]] \
        || die "KAFKA_SASL_SSL_PORT must differ from KAFKA_PORT and KAFKA_CONTROLLER_PORT"
    [[ -r "${KAFKA_SSL_KEYSTORE:-}" ]] || die "KAFKA_SASL_SSL_PORT needs KAFKA_SSL_KEYSTORE, a readable PKCS12 file"
    [[ -n "${KAFKA_SSL_KEYSTORE_PASSWORD:-}" ]] || die "KAFKA_SASL_SSL_PORT needs KAFKA_SSL_KEYSTORE_PASSWORD"
    [[ "$KAFKA_SSL_KEYSTORE_PASSWORD" =~ ^[A-Za-z0-9._-]+$ ]] \
        || die "KAFKA_SSL_KEYSTORE_PASSWORD may hold letters, digits, '.', '_' and '-' only"
    if [[ -n "${KAFKA_SSL_TRUSTSTORE:-}" && ! -r "$KAFKA_SSL_TRUSTSTORE" ]]; then
        die "KAFKA_SSL_TRUSTSTORE '$KAFKA_SSL_TRUSTSTORE' cannot be read"
    fi
    SASL_USERS="${KAFKA_SASL_USERS:-}"
    [[ "$SASL_USERS" =~ ^[A-Za-z0-9._-]+:[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+:[A-Za-z0-9._-]+)*$ ]] \
        || die "KAFKA_SASL_SSL_PORT needs KAFKA_SASL_USERS as user:password[,user:password...]" \
               "(letters, digits, '.', '_' and '-')"
    local pair
    for pair in ${SASL_USERS//,/ }; do
        SCRAM_NAMES="${SCRAM_NAMES:+$SCRAM_NAMES,}${pair%%:*}"
    done
    if [[ -f "$DATA/meta.properties" && "$SCRAM_NAMES" != "${STORED_SCRAM_USERS:-}" ]]; then
        die "the data dir $DATA was formatted with SCRAM users '${STORED_SCRAM_USERS:-}', not '$SCRAM_NAMES';" \
            "SCRAM credentials are created at format time: run 'wipe' to reformat"
    fi
}

version_lt() {
    [[ "$1" != "$2" && "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" == "$1" ]]
}

# Kafka can run on data written by an older version, not on data from a newer one (the
# metadata log holds records it cannot read: the broker dies at startup). Refuse that early,
# before any jars are swapped.
check_version_against_data() {
    if [[ -n "${STORED_VERSION:-}" ]] && version_lt "$VERSION" "$STORED_VERSION"; then
        die "the data dir $DATA has been run by Kafka $STORED_VERSION; Kafka $VERSION is older and" \
            "cannot read its metadata. Use KAFKA_VERSION=$STORED_VERSION, or run 'wipe' first"
    fi
}

# Serialises fetch/start/stop/wipe between concurrent callers (fd 9 is closed for the JVM).
take_lock() {
    exec 9>"$LOCKFILE"
    if ! flock -w 180 9; then
        die "another kafka.sh holds $LOCKFILE for over 180 s"
    fi
}

# ---------------------------------------------------------------------------------------------
# Process and port probes
# ---------------------------------------------------------------------------------------------
port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

# True when pid $1 is alive (not a zombie) and is this state dir's broker.
is_our_broker() {
    local pid="$1" cmd stat
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ "${stat:0:1}" != "Z" ]] || return 1
    cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$cmd" == *" kafka.Kafka $CONF"* ]]
}

# Prints the broker's pid: the pid file's, or (if that is missing or stale) that of a java
# process whose command line runs kafka.Kafka on exactly this state dir's config.
find_broker_pid() {
    local pid=""
    if [[ -f "$PIDFILE" ]]; then
        pid="$(head -n1 "$PIDFILE" 2>/dev/null || true)"
        if is_our_broker "$pid"; then
            echo "$pid"
            return 0
        fi
    fi
    local dir
    for dir in /proc/[0-9]*; do
        pid="${dir#/proc/}"
        if is_our_broker "$pid"; then
            echo "$pid"
            return 0
        fi
    done
    return 1
}

process_alive() {
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ "${stat:0:1}" != "Z" ]]
}

java_bin() {
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        echo "$JAVA_HOME/bin/java"
    elif command -v java >/dev/null 2>&1; then
        command -v java
    else
        die "java not found (install a JDK/JRE 17+ or set JAVA_HOME)"
    fi
}

# ---------------------------------------------------------------------------------------------
# fetch
# ---------------------------------------------------------------------------------------------
fetched_ok() {
    [[ -f "$LIB/.fetched-version" ]] \
        && [[ "$(cat "$LIB/.fetched-version")" == "$VERSION" ]] \
        && [[ -f "$LIB/kafka_2.13-$VERSION.jar" ]]
}

do_fetch() {
    if fetched_ok; then
        log "Kafka $VERSION jars already in $LIB"
        return 0
    fi
    command -v mvn >/dev/null 2>&1 || die "mvn not found (apt-get install maven)"
    if [[ -d "$LIB" ]] && find_broker_pid >/dev/null; then
        die "a broker is running on the jars in $LIB (Kafka $(cat "$LIB/.fetched-version" 2>/dev/null || echo '?'));" \
            "stop it before switching to $VERSION"
    fi
    local tmp="$STATE/lib.fetching" started=$SECONDS
    rm -rf "$tmp"
    log "fetching org.apache.kafka:kafka_2.13:$VERSION and its runtime dependencies with Maven..."
    # Maven 3.8 prints bare ANSI resets even with -q -B: keep its output, show it on failure only.
    local out
    if ! out="$(mvn -q -B -Dstyle.color=never -f "$HERE/pom.xml" \
            -Dkafka.version="$VERSION" -Dlib.dir="$tmp" \
            dependency:copy-dependencies 2>&1)"; then
        printf '%s\n' "$out" | sed 's/\x1b\[[0-9;]*m//g' >&2
        rm -rf "$tmp"
        die "Maven could not fetch Kafka $VERSION (see its output above)"
    fi
    [[ -f "$tmp/kafka_2.13-$VERSION.jar" ]] || { rm -rf "$tmp"; die "Maven finished but kafka_2.13-$VERSION.jar is missing"; }
    echo "$VERSION" >"$tmp/.fetched-version"
    rm -rf "$LIB"
    mv "$tmp" "$LIB"
    local count
    count="$(find "$LIB" -maxdepth 1 -name '*.jar' | wc -l)"
    log "fetched $count jars ($(du -sh "$LIB" | cut -f1)) in $((SECONDS - started)) s into $LIB"
}

# ---------------------------------------------------------------------------------------------
# start
# ---------------------------------------------------------------------------------------------
render_config() {
    mkdir -p "$CONF_DIR"
    local extra_listener="" extra_protocol=""
    if [[ -n "$SASL_PORT" ]]; then
        extra_listener=",SASL_SSL://$HOST:$SASL_PORT"
        extra_protocol=",SASL_SSL:SASL_SSL"
    fi
    ( umask 077  # the SASL block holds passwords
      sed -e "s|@PORT@|$PORT|g" \
          -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
          -e "s|@DATA_DIR@|$DATA|g" \
          -e "s|@EXTRA_LISTENER@|$extra_listener|g" \
          -e "s|@EXTRA_PROTOCOL@|$extra_protocol|g" \
          "$HERE/server.properties.in" >"$CONF.tmp"
      [[ -z "$SASL_PORT" ]] || sasl_config >>"$CONF.tmp" )
    mv "$CONF.tmp" "$CONF"
}

# The SASL_SSL listener's settings: TLS from the keystore (and client certificates checked against
# the truststore, if given), SCRAM-SHA-512 against the credentials in the metadata, PLAIN users inline.
sasl_config() {
    local pair plain_users=""
    for pair in ${SASL_USERS//,/ }; do
        plain_users="$plain_users user_${pair%%:*}=\"${pair#*:}\""
    done
    cat <<EOF

# --- SASL_SSL listener (KAFKA_SASL_SSL_PORT), written by kafka.sh ---------------------------------
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required$plain_users;
listener.name.sasl_ssl.ssl.keystore.type=PKCS12
listener.name.sasl_ssl.ssl.keystore.location=$KAFKA_SSL_KEYSTORE
listener.name.sasl_ssl.ssl.keystore.password=$KAFKA_SSL_KEYSTORE_PASSWORD
listener.name.sasl_ssl.ssl.key.password=$KAFKA_SSL_KEYSTORE_PASSWORD
EOF
    if [[ -n "${KAFKA_SSL_TRUSTSTORE:-}" ]]; then
        cat <<EOF
listener.name.sasl_ssl.ssl.truststore.type=PEM
listener.name.sasl_ssl.ssl.truststore.location=$KAFKA_SSL_TRUSTSTORE
listener.name.sasl_ssl.ssl.client.auth=required
EOF
    fi
}

# 22 characters of URL-safe base64 of 16 random bytes, as Kafka's own random-uuid prints.
random_cluster_id() {
    local id
    while :; do
        id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22)"
        [[ "$id" != -* ]] && break   # a leading '-' would read as a command-line option
    done
    echo "$id"
}

format_storage_once() {
    if [[ -f "$DATA/meta.properties" ]]; then
        if [[ ! -f "$FORMAT_FILE" ]]; then
            log "warning: $FORMAT_FILE is missing; assuming the data dir was formatted for ports $PORT/$CONTROLLER_PORT"
            write_format_file "" "$VERSION"
        elif [[ -z "$STORED_VERSION" ]] || version_lt "$STORED_VERSION" "$VERSION"; then
            write_format_file "$STORED_CLUSTER_ID" "$VERSION"   # newest version that ran on the data
        fi
        return 0
    fi
    local cluster_id pair scram=()
    cluster_id="$(random_cluster_id)"
    mkdir -p "$DATA" "$LOGS"
    for pair in ${SASL_USERS//,/ }; do
        scram+=(--add-scram "SCRAM-SHA-512=[name=${pair%%:*},password=${pair#*:}]")
    done
    log "formatting $DATA (cluster id $cluster_id, ports $PORT/$CONTROLLER_PORT${SCRAM_NAMES:+, SCRAM users $SCRAM_NAMES})"
    if ! "$(java_bin)" -Xmx256m -Dlog4j2.configurationFile="$HERE/log4j2.properties" \
            -Dkafka.logs.dir="$LOGS" -Dkafka.log.file=format.log -cp "$LIB/*" \
            kafka.tools.StorageTool format --standalone --ignore-formatted \
            -t "$cluster_id" -c "$CONF" "${scram[@]}" >&2 9>&-; then
        rm -rf "$DATA"
        die "formatting the storage failed (see above and $LOGS/format.log)"
    fi
    write_format_file "$cluster_id" "$VERSION" "$SCRAM_NAMES"
}

print_log_tail() {
    local f
    for f in "$LOGS/server.log" "$LOGS/kafka.out"; do
        if [[ -s "$f" ]]; then
            echo "----- last lines of $f -----" >&2
            tail -n 40 "$f" >&2
        fi
    done
}

# Waits until the log says "Kafka Server started" and the client port accepts connections.
wait_ready() {
    local pid="$1" started=$SECONDS
    while :; do
        if ! process_alive "$pid"; then
            print_log_tail
            rm -f "$PIDFILE"
            die "the broker (pid $pid) exited during startup; logs in $LOGS"
        fi
        if grep -q "Kafka Server started" "$LOGS/server.log" 2>/dev/null && port_open "$PORT" \
                && { [[ -z "${SASL_PORT:-}" ]] || port_open "$SASL_PORT"; }; then
            log "broker ready (pid $pid) after $((SECONDS - started)) s; logs in $LOGS"
            [[ -z "${SASL_PORT:-}" ]] || log "SASL_SSL listener on $HOST:$SASL_PORT (SCRAM-SHA-512, PLAIN)"
            return 0
        fi
        if (( SECONDS - started >= READY_TIMEOUT_S )); then
            print_log_tail
            log "broker not ready after ${READY_TIMEOUT_S} s; stopping it"
            stop_pid "$pid"
            die "the broker did not become ready within ${READY_TIMEOUT_S} s; logs in $LOGS"
        fi
        sleep 0.5
    done
}

do_start() {
    resolve_ports
    resolve_sasl
    local pid
    if pid="$(find_broker_pid)"; then
        echo "$pid" >"$PIDFILE"
        if ! port_open "$PORT" || ! grep -q "Kafka Server started" "$LOGS/server.log" 2>/dev/null; then
            log "broker (pid $pid) is running but not ready yet; waiting"
            wait_ready "$pid"
        else
            log "already running (pid $pid)"
        fi
        echo "$ADDRESS"
        return 0
    fi
    rm -f "$PIDFILE"
    local p
    for p in "$PORT" "$CONTROLLER_PORT" ${SASL_PORT:+"$SASL_PORT"}; do
        if port_open "$p"; then
            die "port $p on $HOST is already in use by another process (not this state dir's broker);" \
                "stop it, or use other ports (KAFKA_PORT/KAFKA_CONTROLLER_PORT with a different KAFKA_STATE_DIR, or after 'wipe')"
        fi
    done
    check_version_against_data
    do_fetch
    render_config
    format_storage_once

    mkdir -p "$LOGS"
    # A fresh server.log per run, so readiness is judged on this run's lines only.
    [[ -f "$LOGS/server.log" ]] && mv -f "$LOGS/server.log" "$LOGS/server-previous-run.log"
    : >"$LOGS/kafka.out"

    local java
    java="$(java_bin)"
    log "starting Kafka $(cat "$LIB/.fetched-version") on $ADDRESS (controller $HOST:$CONTROLLER_PORT), data in $DATA"
    # setsid: the broker gets its own session, so it outlives this shell and its job control.
    # The inner shell writes its own pid, then execs java, so the pid file holds the JVM's pid.
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' kafka-launch "$PIDFILE" \
        "$java" -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
        -Djava.awt.headless=true \
        -Dkafka.logs.dir="$LOGS" \
        -Dlog4j2.configurationFile="$HERE/log4j2.properties" \
        -cp "$LIB/*" kafka.Kafka "$CONF" \
        </dev/null >>"$LOGS/kafka.out" 2>&1 9>&- &
    local waited=0
    until [[ -s "$PIDFILE" ]]; do
        sleep 0.1
        waited=$((waited + 1))
        (( waited < 100 )) || die "the broker process did not start (no pid file after 10 s)"
    done
    pid="$(head -n1 "$PIDFILE")"
    wait_ready "$pid"
    echo "$ADDRESS"
}

# ---------------------------------------------------------------------------------------------
# stop / status / wipe
# ---------------------------------------------------------------------------------------------
stop_pid() {
    local pid="$1" started=$SECONDS
    kill -TERM "$pid" 2>/dev/null || true
    while process_alive "$pid"; do
        if (( SECONDS - started >= STOP_TIMEOUT_S )); then
            log "broker (pid $pid) still running after ${STOP_TIMEOUT_S} s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            local n=0
            while process_alive "$pid" && (( n < 50 )); do sleep 0.1; n=$((n + 1)); done
            break
        fi
        sleep 0.2
    done
    rm -f "$PIDFILE"
    log "stopped broker (pid $pid) in $((SECONDS - started)) s"
}

do_stop() {
    local pid
    if pid="$(find_broker_pid)"; then
        stop_pid "$pid"
    else
        [[ -f "$PIDFILE" ]] && log "removing stale pid file $PIDFILE"
        rm -f "$PIDFILE"
        log "no broker running for $STATE"
    fi
}

do_status() {
    resolve_ports
    local pid
    if ! pid="$(find_broker_pid)"; then
        echo "kafka.sh: not running (state dir $STATE)" >&2
        return 1
    fi
    if ! port_open "$PORT"; then
        echo "kafka.sh: broker process $pid is up but $ADDRESS does not accept connections (starting or unhealthy; see $LOGS/server.log)" >&2
        return 1
    fi
    echo "$ADDRESS"
}

do_wipe() {
    do_stop
    rm -rf "$DATA" "$LOGS" "$CONF_DIR" "$FORMAT_FILE" "$PIDFILE" "$STATE/lib.fetching"
    log "wiped data and logs in $STATE (jars in $LIB kept)"
}

main() {
    local cmd="${1:-}"
    case "$cmd" in
        -h|--help|help) print_help; return 0 ;;
        fetch|start|stop|status|wipe) ;;
        *) usage_line; return 2 ;;
    esac
    if (( $# > 1 )); then
        usage_line
        return 2
    fi
    init_paths
    case "$cmd" in
        fetch) take_lock; do_fetch ;;
        start) take_lock; do_start ;;
        stop) take_lock; do_stop ;;
        status) do_status ;;
        wipe) take_lock; do_wipe ;;
    esac
}

main "$@"
