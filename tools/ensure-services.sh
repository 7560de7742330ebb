#!/usr/bin/env bash
# Make sure the services the functional tests use answer on 127.0.0.1:
# MariaDB 3306, PostgreSQL 5432, RabbitMQ 5672, Redis 6379. Start any that
# does not answer; fail loudly when one still cannot be reached.
set -u

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
    case "$1" in
    mariadb)
        start-stop-daemon --start --oknodo --background \
            --exec /usr/sbin/mariadbd ;;
    postgresql)
        pg_ctlcluster --skip-systemctl-redirect \
            "$(ls /etc/postgresql | head -n1)" main start ;;
    rabbitmq)
        rabbitmq-server -detached ;;
    redis)
        redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 \
            --save "" --appendonly no --dir /var/lib/redis \
            --logfile /var/log/redis/ci.log ;;
    esac
}

failed=0
for service in mariadb:3306 postgresql:5432 rabbitmq:5672 redis:6379; do
    name=${service%%:*}
    port=${service##*:}
    if answers "$port"; then
        echo "$name answers on 127.0.0.1:$port"
        continue
    fi
    echo "$name does not answer on 127.0.0.1:$port; starting it"
    start "$name" >/dev/null 2>&1
    for _ in $(seq 1 60); do
        answers "$port" && break
        sleep 1
    done
    if answers "$port"; then
        echo "$name started and answers on 127.0.0.1:$port"
    else
        echo "ERROR: $name cannot be reached on 127.0.0.1:$port" >&2
        failed=1
    fi
done
exit $failed
