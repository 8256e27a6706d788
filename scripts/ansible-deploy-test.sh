#!/usr/bin/env bash
# Deployment test: applies ansible/playbook.yml to this machine (-c local) with throwaway variables
# and a farm file (tfctl_farm), ticks the farm with the INSTALLED tfctl against the sandbox, checks
# that a second run changes nothing and that an edited farm file changes only the farm, then takes
# everything off again with ansible/cleanup.yml.
#
# Throwaway means: a private redis-server on a free port (the machine's own Redis is never
# touched), redis_install=false, prefix "deploytest", farm user "tfctldeploy", node from the
# system (tfctl_node_source=system, nothing downloaded but npm packages).
#
# Needs root (it installs into /opt, /etc and /usr/local/bin). Refuses to run when a tfctl
# deployment already exists here, because cleanup would remove it.
#
# DEPLOY_TEST_KEEP=1 keeps the playbook logs in the temporary directory.
# DEPLOY_TEST_ALLOW_MISSING_CLI=1 reports checks that need CLI commands this build does not have
# yet (sandbox, create, list, tick) as skipped instead of failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

farm_user=tfctldeploy
prefix=deploytest
env_file=/etc/tfctl/env
tfctl=/usr/local/bin/tfctl
allow_missing="${DEPLOY_TEST_ALLOW_MISSING_CLI:-0}"

passed=0
failed=0
skipped=0
pass() { passed=$((passed + 1)); echo "PASS  $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*"; }
skip() { skipped=$((skipped + 1)); echo "SKIP  $*"; }
# A check that needs a CLI command this build lacks: a failure unless told to allow it.
missing() {
  if [ "$allow_missing" = 1 ]; then skip "$* (command not in this build)"; else fail "$* (command not in this build)"; fi
}
note() { echo "----  $*"; }
started=$(date +%s)
main_pid=$$

# --- preconditions --------------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  echo "ansible-deploy-test.sh: run as root (the playbook installs system-wide)" >&2
  exit 1
fi
for p in "$env_file" "$tfctl" /opt/tfctl; do
  if [ -e "$p" ]; then
    echo "ansible-deploy-test.sh: $p exists; refusing to deploy over (and then remove) a real farm" >&2
    exit 1
  fi
done
if getent passwd "$farm_user" >/dev/null; then
  echo "ansible-deploy-test.sh: user $farm_user exists; refusing to run" >&2
  exit 1
fi
if ! command -v ansible-playbook >/dev/null; then
  note "installing Debian's ansible"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ansible >/dev/null
fi
command -v redis-server >/dev/null || { echo "ansible-deploy-test.sh: needs redis-server" >&2; exit 1; }

tmp="$(mktemp -d /tmp/tfctl-deploy.XXXXXX)"
chmod 0755 "$tmp"
redis_pid=""
sandbox_pid=""
applied=0
cleaned=0
summarised=0
dpkg-query -W -f='${Package}\n' | sort >"$tmp/packages.before"

export ANSIBLE_CONFIG="$root/ansible/ansible.cfg"
export ANSIBLE_NOCOLOR=1
export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3

# Runs a playbook on this machine with the throwaway variables; output goes to $tmp/<log>.log.
play() {
  local book="$1" log="$2"
  shift 2
  ansible-playbook -i "$tmp/inventory.ini" -c local "ansible/$book" -e "@$tmp/vars.json" "$@" \
    >"$tmp/$log.log" 2>&1
}

# The installed tfctl as the farm user would run it from cron: env file sourced with allexport.
farm() {
  runuser -u "$farm_user" -- sh -c 'cd / && set -a && . "$0" && set +a && exec "$@"' "$env_file" "$tfctl" "$@"
}

# Reads a field (dot path) from JSON on stdin.
jget() {
  node -e '
    let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => {
      let v = JSON.parse(s);
      for (const k of process.argv[1].split(".").filter(Boolean)) v = v == null ? undefined : v[k];
      process.stdout.write(typeof v === "object" ? JSON.stringify(v) : String(v ?? ""));
    });' "$1"
}

api() {
  local method="$1" path="$2" body="${3:-}"
  if [ -n "$body" ]; then
    curl -fsS -X "$method" -H 'content-type: application/json' --data "$body" "$sandbox_url$path"
  else
    curl -fsS -X "$method" "$sandbox_url$path"
  fi
}

# The status (ok, changed, skipping, failed…) a task reported in a playbook log, by its name.
task_status() {
  awk -v task="$2" 'index($0, "TASK [") == 1 { inside = index($0, task) > 0; next }
    inside && match($0, /^(ok|changed|skipping|failed|fatal):/) { print substr($0, 1, RLENGTH - 1); exit }' "$1"
}

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Does this tfctl (a command line, e.g. "node bin/tfctl") have subcommand $2?
has_cmd() {
  $1 --help 2>/dev/null | grep -Eq "^  $2( |$)"
}

cleanup() {
  [ "$cleaned" = 1 ] && return 0
  cleaned=1
  set +e
  if [ "$applied" = 1 ]; then
    # Remove exactly the packages that appeared during the run (e.g. cron), nothing older.
    dpkg-query -W -f='${Package}\n' | sort >"$tmp/packages.after"
    comm -13 "$tmp/packages.before" "$tmp/packages.after" >"$tmp/packages.new"
    node -e 'const fs = require("fs");
      const pkgs = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
      console.log(JSON.stringify({ tfctl_cleanup_packages: pkgs }));' "$tmp/packages.new" >"$tmp/cleanup-vars.json"
    note "cleanup: removing the deployment (new packages: $(tr '\n' ' ' <"$tmp/packages.new"))"
    if play cleanup.yml cleanup -e "@$tmp/cleanup-vars.json"; then
      local left=""
      for p in "$env_file" /etc/tfctl "$tfctl" /opt/tfctl /var/lib/tfctl /var/log/tfctl /etc/logrotate.d/tfctl /etc/systemd/system/tfctl-stream@.service; do
        [ -e "$p" ] && left="$left $p"
      done
      getent passwd "$farm_user" >/dev/null && left="$left user:$farm_user"
      [ -e "/var/spool/cron/crontabs/$farm_user" ] && left="$left crontab:$farm_user"
      dpkg-query -W -f='${Package}\n' | sort | comm -13 "$tmp/packages.before" - >"$tmp/packages.left"
      [ -s "$tmp/packages.left" ] && left="$left packages:$(tr '\n' ' ' <"$tmp/packages.left")"
      if [ -z "$left" ]; then pass "cleanup.yml removes everything the deployment added"; else fail "cleanup left:$left"; fi
    else
      fail "cleanup.yml failed"
      tail -n 30 "$tmp/cleanup.log"
    fi
  fi
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
  if [ "${DEPLOY_TEST_KEEP:-0}" = 1 ]; then note "logs kept in $tmp"; else rm -rf "$tmp"; fi
  set -e
}

summary() {
  summarised=1
  local extra=""
  [ "$skipped" -gt 0 ] && extra=", $skipped skipped"
  # The summary stands alone on its line ("deploy: N passed, N failed"), as CI reads it; the time goes first.
  echo "deploy test took $(($(date +%s) - started))s"
  echo "deploy: $passed passed, $failed failed$extra"
}

on_exit() {
  local rc=$?
  # Subshells may inherit this trap; only the test's own shell cleans up.
  [ "$BASHPID" = "$main_pid" ] || return 0
  cleanup
  if [ "$summarised" = 0 ]; then
    [ "$failed" -gt 0 ] || fail "the test stopped early (exit $rc)"
    summary
  fi
  [ "$failed" -eq 0 ] || exit 1
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# --- a private Redis --------------------------------------------------------------------------
redis_port="$(free_port)"
mkdir -p "$tmp/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$tmp/redis" --save '' --appendonly no \
  --daemonize no >"$tmp/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 100); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$redis_port" ping >/dev/null
redis_url="redis://127.0.0.1:$redis_port/0"
note "private redis-server on $redis_url"

# --- the package tarball (npm pack runs the build through prepack) -----------------------------
version="$(node -p 'require("./package.json").version')"
if ! npm pack --pack-destination "$tmp" >"$tmp/pack.log" 2>&1; then
  tail -n 30 "$tmp/pack.log"
  fail "npm pack"
  exit 1
fi
tarball="$tmp/tfctl-$version.tgz"
[ -f "$tarball" ] || { fail "npm pack made no $tarball"; exit 1; }
note "packed $(basename "$tarball")"

# --- the sandbox, from the repository's build: its URL and keys go into the env file ------------
sandbox_url=""
consumer_key=throwaway-consumer-key
consumer_secret=throwaway-consumer-secret
if has_cmd "node bin/tfctl" sandbox; then
  sandbox_port="$(free_port)"
  node bin/tfctl sandbox --port "$sandbox_port" >"$tmp/sandbox.out" 2>"$tmp/sandbox.err" &
  sandbox_pid=$!
  for _ in $(seq 100); do
    # The first stdout line is the contract: "listening on http://127.0.0.1:PORT".
    sandbox_url="$(sed -n '1s#^listening on \(http://[^ ]*\).*#\1#p' "$tmp/sandbox.out" 2>/dev/null || true)"
    [ -n "$sandbox_url" ] && break
    sleep 0.1
  done
  if [ -n "$sandbox_url" ] && app="$(api GET /sandbox/app)"; then
    consumer_key="$(jget consumer_key <<<"$app")"
    consumer_secret="$(jget consumer_secret <<<"$app")"
    pass "sandbox listens on $sandbox_url and gives its app keys"
  else
    fail "sandbox did not start: $(head -c 300 "$tmp/sandbox.err")"
    sandbox_url=""
  fi
else
  missing "tfctl sandbox"
fi

# --- the farm's accounts in the sandbox: their tokens reach the farm through the vault's variables ----
reader_json='{}'
writer_json='{}'
if [ -n "$sandbox_url" ]; then
  # A self-seeded timeline: dtreader follows dtauthor, who has written some Russian tweets.
  api POST /sandbox/accounts '{"username":"dtauthor"}' >/dev/null
  reader_json="$(api POST /sandbox/accounts '{"username":"dtreader"}')"
  writer_json="$(api POST /sandbox/accounts '{"username":"dtwriter"}')"
  api POST /sandbox/follows '{"follower":"dtreader","followee":"dtauthor"}' >/dev/null
  for text in 'Весной в старом парке снова запели соловьи.' \
    'Бабушка испекла пирог с вишней, и вся квартира пахнет летом.' \
    'Поезд опоздал на час, зато из окна был виден закат над рекой.'; do
    api POST /sandbox/tweets "{\"username\":\"dtauthor\",\"text\":\"$text\"}" >/dev/null
  done
fi

# --- throwaway inventory and variables ----------------------------------------------------------
# tfctl_farm is the farm file (inline here); its secrets are env: references whose values come in
# tfctl_farm_secrets, as they would from the vault. FARM_TEMPLATE changes the writer's template.
printf '[tfctl]\nlocalhost ansible_connection=local\n' >"$tmp/inventory.ini"
write_vars() {
TARBALL="$tarball" REDIS="$redis_url" XAPI="${sandbox_url:-http://127.0.0.1:9}" \
  CK="$consumer_key" CS="$consumer_secret" FARM_USER="$farm_user" PREFIX="$prefix" \
  READER="$reader_json" WRITER="$writer_json" FARM_TEMPLATE="$1" \
  node -e 'const e = process.env; const r = JSON.parse(e.READER); const w = JSON.parse(e.WRITER); console.log(JSON.stringify({
    tfctl_package_src: e.TARBALL,
    tfctl_node_source: "system",
    redis_install: false,
    tfctl_redis_url: e.REDIS,
    tfctl_prefix: e.PREFIX,
    tfctl_user: e.FARM_USER,
    tfctl_x_api: e.XAPI,
    tfctl_consumer_key: e.CK,
    tfctl_consumer_secret: e.CS,
    // Nothing listens there; it only makes the stats cron entry appear.
    tfctl_influx_url: "http://127.0.0.1:9/deploytest",
    tfctl_monitoring: false,
    // A collector on the filtered stream: its systemd unit is installed (started only under systemd).
    tfctl_stream_collectors: ["dtcollector"],
    tfctl_farm: [
      `prefix: ${e.PREFIX}`,
      "bots:",
      "  dtreader:",
      "    kind: reader",
      "    every: 1m",
      "    token: env:DT_READER_TOKEN",
      "    secret: env:DT_READER_SECRET",
      "  dtwriter:",
      "    kind: writer",
      "    source: dtreader",
      `    template: ${JSON.stringify(e.FARM_TEMPLATE)}`,
      "    token: env:DT_WRITER_TOKEN",
      "    secret: env:DT_WRITER_SECRET",
      "",
    ].join("\n"),
    tfctl_farm_secrets: {
      DT_READER_TOKEN: r.token ?? "none", DT_READER_SECRET: r.secret ?? "none",
      DT_WRITER_TOKEN: w.token ?? "none", DT_WRITER_SECRET: w.secret ?? "none",
    },
  }, null, 2));' >"$tmp/vars.json"
chmod 0600 "$tmp/vars.json"
}
write_vars '%s – это когда тебя любят.'

# --- first run -------------------------------------------------------------------------------
applied=1
t0=$(date +%s)
if play playbook.yml run1; then
  pass "first run applies ($(($(date +%s) - t0))s): $(grep -E '^localhost +:' "$tmp/run1.log" | sed 's/  */ /g')"
else
  fail "first run"
  tail -n 40 "$tmp/run1.log"
  exit 1
fi

# --- what the first run put in place ----------------------------------------------------------
if [ "$(stat -c '%a %U' "$env_file")" = "600 $farm_user" ] &&
  (set -a && . "$env_file" && [ "$REDIS_URL" = "$redis_url" ] && [ "$TFCTL_PREFIX" = "$prefix" ] &&
    [ "$TFCTL_CONSUMER_KEY" = "$consumer_key" ] && [ "$TFCTL_X_API" = "${sandbox_url:-http://127.0.0.1:9}" ]); then
  pass "$env_file is 0600, owned by $farm_user, and sets the farm's REDIS_URL, prefix, API and keys"
else
  fail "$env_file: $(stat -c '%a %U' "$env_file" 2>&1)"
fi

crontab -l -u "$farm_user" >"$tmp/crontab" 2>&1 || true
if grep -Eq "^\* \* \* \* \* .*$tfctl tick " "$tmp/crontab" &&
  grep -Eq "^\*/10 \* \* \* \* .*$tfctl stats (--quiet )?--influx " "$tmp/crontab" &&
  grep -q ". $env_file" "$tmp/crontab"; then
  pass "crontab of $farm_user ticks every minute and sends stats every 10 minutes"
else
  fail "crontab of $farm_user:"
  cat "$tmp/crontab"
fi

if [ "$(stat -c '%a' /etc/tfctl/farm.yaml 2>&1)" = 640 ] && ! grep -q "$(jget token <<<"$writer_json")" /etc/tfctl/farm.yaml &&
  [ "$(task_status "$tmp/run1.log" 'Apply the farm file')" = changed ] &&
  out="$(farm list --json 2>&1)" && [ "$(jget 0.name <<<"$out") $(jget 1.name <<<"$out") $(jget 1.reader <<<"$out")" = "dtreader dtwriter dtreader" ] &&
  [ "$(farm show dtwriter --json | jget token)" = set ]; then
  pass "first run applies the farm file (/etc/tfctl/farm.yaml, 0640, no secrets in it): dtreader and dtwriter exist with their tokens"
else
  fail "farm file not applied: $(farm list --json 2>&1 | head -c 300)"
  grep -A3 'tfctl_farm' "$tmp/run1.log" | tail -n 30
fi

unit=/etc/systemd/system/tfctl-stream@.service
if [ "$(stat -c '%a %U' "$unit" 2>&1)" = "644 root" ] &&
  grep -qx "ExecStart=$tfctl stream %i --heartbeat 10s" "$unit" && grep -qx 'RestartPreventExitStatus=3' "$unit" &&
  grep -qx "EnvironmentFile=$env_file" "$unit" && grep -qx "User=$farm_user" "$unit" &&
  { ! command -v systemd-analyze >/dev/null || systemd-analyze verify "$unit" >"$tmp/verify.log" 2>&1; }; then
  pass "$unit runs tfctl stream <collector> as $farm_user with the env file, and is not restarted after exit 3"
else
  fail "$unit: $(stat -c '%a %U' "$unit" 2>&1); $(cat "$tmp/verify.log" 2>/dev/null | head -n 5)"
fi

if [ "$(farm --version 2>&1)" = "$version" ]; then
  pass "installed $tfctl --version is $version"
else
  fail "installed $tfctl --version: $(farm --version 2>&1 | head -n 3)"
fi

# --- second run: nothing to change -----------------------------------------------------------
t0=$(date +%s)
if play playbook.yml run2; then
  recap="$(grep -E '^localhost +:' "$tmp/run2.log" | sed 's/  */ /g')"
  if grep -Eq '^localhost +: .*changed=0 .*failed=0' "$tmp/run2.log" && [ "$(task_status "$tmp/run2.log" 'Apply the farm file')" = skipping ]; then
    pass "second run changes nothing, the farm file's apply skipped ($(($(date +%s) - t0))s): $recap"
  else
    fail "second run is not idempotent: $recap"
    grep -E '^changed:' "$tmp/run2.log" || true
  fi
else
  fail "second run"
  tail -n 40 "$tmp/run2.log"
fi

# --- the installed tfctl against the farm's Redis --------------------------------------------------
if has_cmd "$tfctl" list; then
  if out="$(farm list --json 2>&1)" && jget '' <<<"$out" >/dev/null 2>&1; then
    pass "installed tfctl list --json works as $farm_user against the private Redis"
  else
    fail "installed tfctl list --json: $(head -c 300 <<<"$out")"
  fi
else
  missing "installed tfctl list --json"
fi

# --- tick a farm through the sandbox ------------------------------------------------------------------
if [ -z "$sandbox_url" ]; then
  missing "tick a reader and a writer through the sandbox"
elif ! has_cmd "$tfctl" create || ! has_cmd "$tfctl" tick; then
  missing "tfctl create/tick"
else
  tick_ok=0
  {
    # The bots came from the farm file. Readers tick before writers, so one forced tick should already post; allow a second.
    for _ in 1 2; do
      farm tick --force >>"$tmp/tick.log" 2>&1 || true
      posts="$(api GET '/sandbox/tweets?username=dtwriter')"
      count="$(node -e 'const v = JSON.parse(process.argv[1]); const a = Array.isArray(v) ? v : (v.data ?? v.tweets ?? []); console.log(a.length)' "$posts")"
      if [ "$count" -gt 0 ]; then tick_ok=1; break; fi
    done
  } >"$tmp/farm.log" 2>&1 || true
  if [ "$tick_ok" = 1 ]; then
    pass "installed tfctl ticks the farm: dtwriter posted $count tweet(s), e.g. $(node -e 'const v = JSON.parse(process.argv[1]); const a = Array.isArray(v) ? v : (v.data ?? v.tweets ?? []); console.log(JSON.stringify(a[0].text))' "$posts")"
  else
    fail "installed tfctl tick: dtwriter has no posts"
    tail -n 20 "$tmp/farm.log" "$tmp/tick.log" 2>/dev/null || true
  fi
fi

# --- an edited farm file: only the farm changes, in place ------------------------------------------
if [ -n "$sandbox_url" ]; then
  posted_before="$(farm list --json | jget 1.posted)"
  write_vars '{noun:gent,plur} нет.'
  t0=$(date +%s)
  if play playbook.yml run3; then
    recap="$(grep -E '^localhost +:' "$tmp/run3.log" | sed 's/  */ /g')"
    shown="$(farm show dtwriter --json)"
    if grep -Eq '^localhost +: .*changed=2 .*failed=0' "$tmp/run3.log" &&
      [ "$(task_status "$tmp/run3.log" 'Apply the farm file')" = changed ] &&
      grep -A12 'Show what will change' "$tmp/run3.log" | grep -q 'template:' &&
      [ "$(jget template <<<"$shown")" = '{noun:gent,plur} нет.' ] && [ "$(jget posted <<<"$shown")" = "$posted_before" ]; then
      pass "an edited template: the farm file and the apply change ($(($(date +%s) - t0))s: $recap), dtwriter keeps its $posted_before post(s)"
    else
      fail "third run (edited template): $recap; dtwriter: $(head -c 300 <<<"$shown")"
      grep -B2 -A12 'Show what will change' "$tmp/run3.log" | head -n 40
    fi
  else
    fail "third run"
    tail -n 40 "$tmp/run3.log"
  fi
fi

# --- clean up, then the verdict --------------------------------------------------------------
cleanup
summary
