# Sourced by the end-to-end scripts: a database of their own for one run.
#   fresh_database KIND PREFIX   sets DBURL to the --database-url arguments (none for sqlite) and
#                                DBNAME to the PostgreSQL database it created
#   postgres_url NAME            prints the URL of another database on the same server, created here
create_postgres_database() {
  python3 - "$SAFEHAVEN_TEST_POSTGRES_URL" "$1" <<'PY'
import subprocess, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
subprocess.run(["psql", "-q", "-h", u.hostname, "-p", str(u.port), "-U", u.username, "-d", "postgres",
                "-c", f"CREATE DATABASE {sys.argv[2]}"], check=True, env={"PGPASSWORD": u.password, "PATH": "/usr/bin:/bin"})
PY
}

postgres_url() {
  create_postgres_database "$1"
  local base=${SAFEHAVEN_TEST_POSTGRES_URL%%\?*}
  echo "${base%/*}/$1?sslmode=disable"
}

fresh_database() {
  DBURL=()
  DBNAME=
  if [ "$1" = postgres ]; then
    : "${SAFEHAVEN_TEST_POSTGRES_URL:?needs SAFEHAVEN_TEST_POSTGRES_URL}"
    DBNAME="${2}_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
    DBURL=(--database-url "$(postgres_url "$DBNAME")")
  fi
}
