# Sourced by bin/telescale, bin/test and .ci/run: selects a JDK of 21 or newer.
# Keeps JAVA_HOME when it already points at one; otherwise takes the newest JDK under
# /usr/lib/jvm (or the java on PATH) that is new enough; fails with one clear line if none is.

telescale_java_major() { # $1 = a java binary; prints its feature version (17, 21, 25, ...)
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1 | cut -d. -f1
}

telescale_select_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major=$(telescale_java_major "$JAVA_HOME/bin/java")
    if [ "${major:-0}" -ge 21 ] 2>/dev/null; then best="$JAVA_HOME"; best_major=$major; fi
  fi
  if [ -z "$best" ]; then
    for candidate in /usr/lib/jvm/*/ "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")/"; do
      candidate=${candidate%/}
      [ -x "$candidate/bin/javac" ] || continue
      major=$(telescale_java_major "$candidate/bin/java")
      if [ "${major:-0}" -ge 21 ] 2>/dev/null && [ "$major" -gt "$best_major" ]; then best="$candidate"; best_major=$major; fi
    done
  fi
  if [ -z "$best" ]; then
    echo "telescale: needs a JDK 21 or newer; none found in JAVA_HOME or /usr/lib/jvm (install one, e.g. apt-get install openjdk-21-jdk-headless, or set JAVA_HOME)" >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
  # Maven 3.8's bundled Guava calls sun.misc.Unsafe; JDK 24+ warns about it on every run.
  if [ "$best_major" -ge 24 ]; then
    case "${MAVEN_OPTS:-}" in *sun-misc-unsafe-memory-access*) ;; *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;; esac
  fi
}
