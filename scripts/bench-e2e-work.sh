#!/usr/bin/env bash
# The work rez-agent does per message on the end-to-end path, counted rather
# than timed: its CPU time, context switches and file-system output
# (/usr/bin/time -v), and its system calls by kind (strace -c -f), over one
# run of `rez-bench e2e` (2 x N notifications, each read back once with
# GET /api/messages/{id}). Divide by 2 x N for per-message figures.
#
#   scripts/bench-e2e-work.sh          # N=2000
#   N=500 scripts/bench-e2e-work.sh
#   CALLGRIND=1 scripts/bench-e2e-work.sh   # instructions and calls, below
#
# CALLGRIND=1 counts instead, exactly, with valgrind's callgrind on the
# `rez-agent up` process (no code change; a build that keeps symbols and
# line tables, in $CALLGRIND_TARGET_DIR, default target/callgrind): two
# `rez-bench e2e` runs with N=$CG_N1 and N=$CG_N2 (default 100 and 300) at
# $CG_RATE posts/s in the fixed-rate phase (default 5, so that the process,
# about 50 times slower under valgrind, is not backlogged there). Per message
# = (run 2 - run 1) / (2 x (N2 - N1)), so start-up, shutdown and the other
# fixed costs cancel. It prints instructions per message, calls per message
# of SQLite, the allocators, serde_json, tokio and getrandom, each SQLite
# statement by the rez function that issued it, the JSON work by the
# function that started it, and where the instructions go. Keep the
# callgrind files (for callgrind_annotate) with CG_OUT=dir; analyse them
# again without running with CG_REUSE=1.
# Two separate runs: strace slows the process many times over, so its run's
# throughput and latency are meaningless and only its counts are read.
# Loopback only; each run is bounded by rez-bench's phase timeout.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
N="${N:-2000}"

if [[ "${CALLGRIND:-0}" == 1 ]]; then
  for tool in valgrind python3; do
    command -v "$tool" >/dev/null || { echo "bench-e2e-work: $tool is needed (Debian: apt-get install valgrind python3)" >&2; exit 1; }
  done
  N1="${CG_N1:-100}"
  N2="${CG_N2:-300}"
  RATE="${CG_RATE:-5}"
  (( N2 > N1 )) || { echo "bench-e2e-work: CG_N2 must be larger than CG_N1" >&2; exit 1; }
  TARGET="${CALLGRIND_TARGET_DIR:-$ROOT/target/callgrind}"
  # Release code generation; only the symbols and line tables are kept, so
  # callgrind can name functions and source files.
  CARGO_TARGET_DIR="$TARGET" CARGO_PROFILE_RELEASE_DEBUG=line-tables-only CARGO_PROFILE_RELEASE_STRIP=none \
    nice cargo build --release -p rez-agent -p rez-bench --bin rez-agent --bin rez-bench >&2
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  OUT="${CG_OUT:-$WORK}"
  mkdir -p "$OUT"
  # CG_REUSE=1 analyses the files a run with the same CG_OUT kept, without running again.
  [[ "${CG_REUSE:-0}" == 1 ]] && runs=() || runs=("$N1" "$N2")
  for n in "${runs[@]}"; do
    # The wrapper rez-bench starts instead of rez-agent. Valgrind runs
    # rez-agent in its own process, so SIGTERM goes to it directly. The
    # callers of SQLite's step and prepare are kept apart up to 12 frames
    # deep, so each statement is counted by the rez function that issued it.
    cat >"$WORK/agent-$n.sh" <<WRAP
#!/usr/bin/env bash
valgrind --tool=callgrind --trace-children=no --log-file="$OUT/callgrind-$n.log" \\
  --separate-callers12=sqlite3_step '--separate-callers12=sqlite3_prepare*' \\
  --callgrind-out-file="$OUT/callgrind-$n.out" "$TARGET/release/rez-agent" "\$@" &
tool=\$!
echo "\$tool" >"$WORK/agent-$n.pid"
stop() {
  kill -TERM "\$tool"
  wait "\$tool"
  exit 0
}
trap stop TERM INT
wait "\$tool"
WRAP
    chmod +x "$WORK/agent-$n.sh"
    "$TARGET/release/rez-bench" e2e --agent "$WORK/agent-$n.sh" --n "$n" --rate "$RATE" --runs 1 \
      --timeout 900 --out "$OUT/e2e-$n.md" >&2
    # rez-bench gives the wrapper 10 s after SIGTERM; callgrind may need
    # longer to let rez-agent shut down and write its file: wait (bounded).
    pid="$(cat "$WORK/agent-$n.pid")"
    for _ in $(seq 300); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "bench-e2e-work: rez-agent under callgrind (pid $pid) did not exit" >&2
      exit 1
    fi
  done
  echo "callgrind: N=$N1 and N=$N2, fixed-rate phase at $RATE/s; analysed at commit $(git rev-parse --short HEAD)"
  python3 - "$N1" "$OUT/callgrind-$N1.out" "$N2" "$OUT/callgrind-$N2.out" <<'PY'
import sys, re, collections

# Reads a callgrind file: self cost by function and source file, and calls
# and inclusive cost by (caller, callee).
def parse(path):
    names = {}; files = {}
    selfc = collections.Counter(); selfsrc = collections.Counter(); selfsrc2 = collections.Counter()
    ecalls = collections.Counter(); ecost = collections.Counter()
    fnfile = {}; fnobj = {}; objs = {}; curob = None
    cur = None; callee = None; pending = None; curfile = None; srcfile = None
    def res(table, v):
        v = v.strip()
        if v.startswith('('):
            i = v.index(')'); k = v[1:i]; rest = v[i+1:].strip()
            if rest: table[k] = rest
            return table.get(k, k)
        return v
    total = 0
    with open(path, errors='replace') as f:
        for line in f:
            c = line[0]
            if c.isdigit() or c in '+-*':
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 else 0
                if pending is not None:
                    ecalls[(cur, callee)] += pending; ecost[(cur, callee)] += cost; pending = None
                else:
                    selfc[cur] += cost; selfsrc[srcfile] += cost; selfsrc2[(cur, srcfile)] += cost; total += cost
            elif line.startswith('fn='):
                cur = res(names, line[3:]); srcfile = curfile; fnfile.setdefault(cur, curfile); fnobj.setdefault(cur, curob)
            elif line.startswith('cfn='):
                callee = res(names, line[4:])
            elif line.startswith('calls='):
                pending = int(line[6:].split()[0])
            elif line.startswith('fl='):
                curfile = res(files, line[3:]); srcfile = curfile
            elif line.startswith(('fi=', 'fe=')):
                srcfile = res(files, line[3:])
            elif line.startswith(('cfi=', 'cfl=')):
                res(files, line[4:])
            elif line.startswith('ob='):
                curob = res(objs, line[3:])
            elif line.startswith('cob='):
                res(objs, line[4:])
    return dict(selfc=selfc, selfsrc=selfsrc, selfsrc2=selfsrc2, ecalls=ecalls, ecost=ecost, fnfile=fnfile, fnobj=fnobj, total=total)


def base(name):
    return name.split("'")[0]

def crate_of(path):
    if not path: return '?'
    m = re.search(r'index\.crates\.io-[^/]+/([^/]+?)-\d+\.\d+[^/]*/', path)
    if m: return m.group(1)
    m = re.search(r'/library/(core|alloc|std)/', path)
    if m: return 'rust-' + m.group(1)
    if '/library/' in path: return 'rust-core'
    m = re.search(r'/(?:crates|tasks|functions)/([^/]+)/src/', path)
    if m: return 'rez-' + m.group(1)
    if 'sqlite3' in path: return 'sqlite'
    if 'mimalloc' in path or '/c_src/' in path: return 'mimalloc'
    if 'glibc' in path or path.startswith('./') or 'libc' in path: return 'libc'
    return path

GROUPS = [
  ('SQLite statements run (sqlite3_step)', r'^sqlite3_step$'),
  ('SQLite statements compiled (sqlite3_prepare_v2/v3)', r'^sqlite3_prepare'),
  ('SQLite statements re-compiled inside sqlite3_step (sqlite3Reprepare)', r'^sqlite3Reprepare$'),
  ('SQLite statement ends (sqlite3VdbeHalt)', r'^sqlite3VdbeHalt$'),
  ('SQLite transactions, read or write (btreeBeginTrans)', r'^btreeBeginTrans$'),
  ('SQLite write commits: WAL appends (pagerWalFrames)', r'^pagerWalFrames$'),
  ('WAL frames (pages) written (walWriteOneFrame)', r'^walWriteOneFrame'),
  ('savepoints opened (sqlite3Savepoint)', r'^sqlite3Savepoint$'),
  ('group commits (rez_sqlite::group_commit::commit)', r'^rez_sqlite::group_commit::commit$'),
  ('group-commit jobs (rez_sqlite::group_commit::run_job)', r'^rez_sqlite::group_commit::run_job$'),
  ('pwrite (libc)', r'^pwrite(64)?$'),
  ('fcntl (libc)', r'^(fcntl|fcntl64)$'),
  ('Rust allocations (mi_malloc_aligned/mi_zalloc_aligned)', r'^mi_(malloc|zalloc|calloc|heap_malloc|heap_zalloc|heap_umalloc|new)'),
  ('Rust reallocations (mi_realloc_aligned)', r'^mi_(realloc|heap_realloc|rezalloc)'),
  ('Rust frees (mi_free)', r'^mi_free$'),
  ('C allocations (libc malloc/calloc/realloc; SQLite)', r'^(malloc|calloc|realloc)$'),
  ('C frees (libc free)', r'^free$'),
  ('memcpy/memmove (libc)', r'^__(memcpy|memmove)'),
  ('JSON text parses (serde_json::de::from_trait)', r'^serde_json::de::from_trait$'),
  ('serde_json::to_value', r'^serde_json::value::to_value$'),
  ('serde_json::Value serialisations (Value::serialize, incl. nested)', r'^serde_json::value::ser::<impl serde_core::ser::Serialize for serde_json::value::Value>::serialize$'),
  ('JSON strings escaped (format_escaped_str)', r'^serde_json::ser::format_escaped_str$'),
  ('tokio tasks spawned (tokio::task::spawn::spawn)', r'^tokio::task::spawn::spawn$'),
  ('tokio task polls (task::raw::poll)', r'^tokio::runtime::task::raw::poll$'),
  ('blocking-pool jobs run (BlockingTask::poll)', r'^<tokio::runtime::blocking::task::BlockingTask<T> as core::future::future::Future>::poll$'),
  ('task wakes (waker::wake_by_val/wake_by_ref)', r'^tokio::runtime::task::waker::wake_by_(val|ref)$'),
  ('tokio worker parks (Context::park_internal)', r'^tokio::runtime::scheduler::multi_thread::worker::Context::park_internal$'),
  ('tokio worker unparks (Unparker::unpark)', r'^tokio::runtime::scheduler::multi_thread::park::Unparker::unpark$'),
  ('libc syscall() (std and tokio futex waits and wakes)', r'^syscall$'),
  ('I/O driver wake-ups (mio Waker::wake)', r'^mio::sys::unix::waker::Waker::wake$'),
  ('blocking-pool thread waits (Condvar::wait_optional_timeout)', r'Condvar>::wait_optional_timeout$'),
  ('contended mutex locks (Mutex::lock_contended)', r'Mutex>::lock_contended$'),
  ('oneshot sends (tokio::sync::oneshot::Sender::send)', r'^tokio::sync::oneshot::Sender<T>::send$'),
  ('mpsc sends', r'^tokio::sync::mpsc::.*::send'),
  ('Notify::notify_waiters', r'notify_waiters$'),
  ('getrandom (libc; one system call each)', r'^getrandom$'),
  ('epoll_wait (libc)', r'^epoll_wait$'),
]

def summary(d):
    calls = collections.Counter(); incl = collections.Counter()
    for (caller, callee), n in d['ecalls'].items():
        calls[base(callee)] += n
        if base(caller) != base(callee):
            incl[base(callee)] += d['ecost'][(caller, callee)]
    return calls, incl

def group_counts(d, groups=GROUPS):
    """Calls into each group from outside it, and their inclusive cost."""
    out = {}
    for label, rx in groups:
        r = re.compile(rx)
        inside = {}
        def isin(n):
            b = base(n)
            if b not in inside: inside[b] = bool(r.search(b))
            return inside[b]
        n_calls = cost = 0; names = set()
        for (caller, callee), n in d['ecalls'].items():
            if isin(callee) and not isin(caller):
                n_calls += n; cost += d['ecost'][(caller, callee)]; names.add(base(callee))
        out[label] = (n_calls, cost, sorted(names))
    return out


SRC = {
  'SQLite (C library + rusqlite)': ['libsqlite3-sys', 'rusqlite', 'sqlite', 'rez-sqlite'],
  'allocator (mimalloc; glibc malloc for SQLite)': ['libmimalloc-sys', 'mimalloc'],
  'JSON (serde_json, serde)': ['serde_json', 'serde', 'serde_core'],
  'hash maps (indexmap, hashbrown; serde_json objects are IndexMaps)': ['indexmap', 'hashbrown', 'foldhash', 'ahash'],
  'ASL engine (rez-states)': ['rez-states'],
  'HTTP (hyper, axum, tower, http; server and client)': ['hyper', 'hyper-util', 'axum', 'axum-core', 'tower', 'tower-http', 'tower-layer', 'tower-service', 'http', 'http-body', 'http-body-util', 'httparse', 'matchit', 'h2', 'httpdate', 'bytes', 'form_urlencoded', 'percent-encoding', 'url', 'idna'],
  'ntfy client (reqwest, rez-ntfy)': ['reqwest', 'rez-ntfy'],
  'tokio (scheduler, I/O driver, sync)': ['tokio', 'mio', 'tokio-util', 'futures-util', 'futures-core', 'futures-channel', 'async-trait', 'pin-project-lite'],
  'tracing (spans, log lines)': ['tracing', 'tracing-core', 'tracing-subscriber', 'nu-ansi-term', 'sharded-slab', 'thread_local', 'tracing-log', 'valuable'],
  'time (chrono)': ['chrono', 'time'],
  'ids (uuid, getrandom)': ['uuid', 'getrandom', 'rand', 'rand_core', 'rand_chacha'],
}
SYM = {'rez_states': 'rez-states', 'rez_sqlite': 'rez-sqlite', 'rusqlite': 'rusqlite', 'serde_json': 'serde_json',
       'serde_core': 'serde_core', 'serde': 'serde', 'indexmap': 'indexmap', 'hashbrown': 'hashbrown', 'tokio': 'tokio',
       'hyper': 'hyper', 'hyper_util': 'hyper-util', 'axum': 'axum', 'axum_core': 'axum-core', 'tower': 'tower', 'tower_http': 'tower-http',
       'http': 'http', 'reqwest': 'reqwest', 'rez_ntfy': 'rez-ntfy', 'tracing': 'tracing', 'tracing_core': 'tracing-core',
       'tracing_subscriber': 'tracing-subscriber', 'chrono': 'chrono', 'uuid': 'uuid', 'mio': 'mio', 'futures_util': 'futures-util',
       'bytes': 'bytes', 'h2': 'h2', 'httparse': 'httparse', 'mimalloc': 'mimalloc'}
CRATE2COMP = {c: comp for comp, cs in SRC.items() for c in cs}
LIBC_ALLOC = re.compile(r'^(malloc|free|calloc|realloc|_int_malloc|_int_free|_int_realloc|malloc_consolidate|unlink_chunk|tcache_\w+|_int_free_\w+|__libc_malloc|__libc_free)')

def sym_crate(name):
    b = base(name)
    b = re.sub(r'^(<|&mut |&|\*const |\*mut |\(|dyn )+', '', b)
    head = re.split(r'::|<|>| ', b, 1)[0]
    if head in ('core', 'alloc', 'std'):
        # core::ptr::drop_in_place<T>, <Vec<T> as ...>: the type parameter's crate
        m = re.search(r'(?:drop_in_place|Arc|Box|Vec|Option|Result)<(?:&mut |&)?([a-z_][a-z0-9_]*)::', b)
        if m and m.group(1) not in ('core', 'alloc', 'std'): head = m.group(1)
        else: return 'rust-' + head
    if head.startswith('rez_'): return SYM.get(head, 'rez-' + head[4:].replace('_', '-'))
    if not re.match(r'^[a-z][a-z0-9_]*$', head) or head in ('str', 'char', 'bool') or re.match(r'^[iuf](8|16|32|64|128|size)$', head):
        return 'rust-core'  # <[T] as ...>, <str as ...>, <u32 as ...>, <T as ...>
    return SYM.get(head, head.replace('_', '-'))

def comp_of_crate(c):
    if c in CRATE2COMP: return CRATE2COMP[c]
    if c.startswith('rez-'): return 'rez-agent code (' + c + ')'
    if c.startswith('rust-'): return 'Rust core/alloc/std (Vec, String, iterators, SipHash; not attributed)'
    return 'other: ' + c

def exclusive(d):
    """Self cost by component. Code inlined from a crate counts for that crate;
    Rust core/alloc/std code inlined into a function counts for that function's
    crate; a libc leaf function (memcpy, memset, pthread, a system call wrapper)
    counts for its caller; glibc's malloc family counts for the allocator."""
    libc = {}
    def is_libc(fn):
        if fn not in libc:
            ob = d['fnobj'].get(fn) or ''
            libc[fn] = re.search(r'/(libc|libm|ld-linux[^/]*|libgcc_s|libpthread)[.-][^/]*$', ob) is not None
        return libc[fn]
    callees = collections.defaultdict(set)
    for (caller, callee) in d['ecalls']: callees[caller].add(callee)
    def leafish(fn):
        return is_libc(fn) and all(is_libc(c) for c in callees.get(fn, ()))
    out = collections.Counter()
    # self cost of each (fn, source file)
    for (fn, src), c in d['selfsrc2'].items():
        if LIBC_ALLOC.match(base(fn)) and is_libc(fn):
            out['allocator (mimalloc; glibc malloc for SQLite)'] += c; continue
        if is_libc(fn):
            if leafish(fn): continue  # counted at its callers below
            out['libc (threads, start-up)'] += c; continue
        crate = crate_of(src)
        if crate in ('rust-core', 'rust-alloc', 'rust-std', '?') or not crate or crate.startswith('/'):
            crate = sym_crate(fn)
        out[comp_of_crate(crate)] += c
    for (caller, callee), n in d['ecalls'].items():
        if leafish(callee) and not is_libc(caller) and not LIBC_ALLOC.match(base(callee)):
            cr = sym_crate(caller); fcr = crate_of(d['fnfile'].get(caller))
            if fcr not in ('rust-core', 'rust-alloc', 'rust-std', '?') and fcr and not fcr.startswith('/'): cr = fcr
            out[comp_of_crate(cr)] += d['ecost'][(caller, callee)]
    return out


n1, f1, n2, f2 = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
m1, m2 = 2 * n1, 2 * n2
dm = m2 - m1
d1, d2 = parse(f1), parse(f2)
per = lambda a, b: (b - a) / dm

print(f"instructions: {d1['total']:,} ({m1} messages), {d2['total']:,} ({m2} messages)")
print(f"per message (difference / {dm}): {per(d1['total'], d2['total']):,.0f}; "
      f"fixed (start-up, shutdown, idle): {d1['total'] - m1 * per(d1['total'], d2['total']):,.0f}")

g1, g2 = group_counts(d1), group_counts(d2)
print("\n| per message | calls | inclusive instructions |\n|---|---:|---:|")
for label, _ in GROUPS:
    c1, i1, _ = g1[label]; c2, i2, names = g2[label]
    # A task poll's cost holds everything the task ran, and tasks run inside
    # each other's polls in callgrind's call graph: not a meaningful sum.
    inclusive = 'n/a (tasks nest)' if label.endswith('::poll)') else f"{per(i1, i2):,.0f}"
    print(f"| {label} | {per(c1, c2):.2f} | {inclusive} |")

def contexts(d, target):
    """Calls of `target`, and their instructions, by the rez function that
    issued them (the innermost rez frame of the caller chain other than the
    group commit's) and the rusqlite call."""
    out = collections.Counter(); cost = collections.Counter()
    for (caller, callee), n in d['ecalls'].items():
        if base(callee) != target or base(caller) == target: continue
        frames = callee.split("'")[1:]
        rez = next((f for f in frames if 'rez_' in f and 'group_commit' not in f), None)
        grouped = any('group_commit' in f for f in frames)
        if rez is None:
            rez = next((f for f in frames if 'group_commit' in f), '(no rez frame in the chain)')
        rus = next((f for f in frames if f.startswith(('rusqlite', '<rusqlite'))), '?')
        rus = re.sub(r'^<?rusqlite::([a-z_]+::)*', '', rus).replace(' as fallible_streaming_iterator::FallibleStreamingIterator>', '')
        key = (rez, rus + (' (group commit)' if grouped else ''))
        out[key] += n; cost[key] += d['ecost'][(caller, callee)]
    return out, cost

for target in ('sqlite3_step', 'sqlite3_prepare_v3', 'sqlite3_prepare_v2'):
    (c1, i1), (c2, i2) = contexts(d1, target), contexts(d2, target)
    keys = sorted(set(c1) | set(c2), key=lambda k: -(c2[k] - c1[k]))
    if not any(abs(per(c1[k], c2[k])) >= 0.005 for k in keys): continue
    print(f"\n{target} by caller (per message):\n| issued by | via | calls per message | instructions per message | run 1 | run 2 |\n|---|---|---:|---:|---:|---:|")
    for k in keys:
        if abs(per(c1[k], c2[k])) < 0.005: continue
        print(f"| {k[0]} | {k[1]} | {per(c1[k], c2[k]):.2f} | {per(i1[k], i2[k]):,.0f} | {c1[k]} | {c2[k]} |")

def reprepared(d):
    out = collections.Counter(); cost = collections.Counter()
    for (caller, callee), n in d['ecalls'].items():
        if base(callee) == 'sqlite3Reprepare' and base(caller) == 'sqlite3_step':
            frames = caller.split("'")[1:]
            rez = next((f for f in frames if 'rez_' in f and 'group_commit' not in f), '(no rez frame in the chain)')
            out[rez] += n; cost[rez] += d['ecost'][(caller, callee)]
    return out, cost
(r1, ri1), (r2, ri2) = reprepared(d1), reprepared(d2)
print("\nstatements re-compiled inside sqlite3_step, by the function that ran them\n| issued by | per message | instructions per message |\n|---|---:|---:|")
for k in sorted(set(r1) | set(r2), key=lambda k: -per(ri1[k], ri2[k])):
    if abs(per(r1[k], r2[k])) >= 0.005:
        print(f"| {k} | {per(r1[k], r2[k]):.2f} | {per(ri1[k], ri2[k]):,.0f} |")

tot = per(d1['total'], d2['total'])
def by_crate(d):
    out = collections.Counter()
    for f, c in d['selfsrc'].items(): out[crate_of(f)] += c
    return out
s1, s2 = by_crate(d1), by_crate(d2)
print("\nexclusive, by the source file's crate (inlined code counts where its source is; rows add up)\n| source | instructions per message | share |\n|---|---:|---:|")
for k in sorted(s2, key=lambda k: -per(s1[k], s2[k]))[:20]:
    print(f"| {k} | {per(s1[k], s2[k]):,.0f} | {100 * per(s1[k], s2[k]) / tot:.1f}% |")

def by_fn(d):
    out = collections.Counter()
    for f, c in d['selfc'].items(): out[base(f)] += c
    return out
b1, b2 = by_fn(d1), by_fn(d2)
print("\ntop functions, exclusive\n| function | instructions per message | share |\n|---|---:|---:|")
for k in sorted(b2, key=lambda k: -per(b1[k], b2[k]))[:25]:
    print(f"| {k[:150]} | {per(b1[k], b2[k]):,.0f} | {100 * per(b1[k], b2[k]) / tot:.1f}% |")

def is_json(b):
    return (re.match(r'^(<&mut |<&|<)?(serde_json|serde_core|serde_path_to_error|serde::)', b) is not None
            or re.search(r'impl serde_core::(ser::Serialize|de::Deserialize|de::Visitor)|as serde_core::(ser::Serialize|de::Deserialize|de::DeserializeSeed|de::Visitor)>', b) is not None
            or '__FieldVisitor' in b or '__Visitor' in b)

def entries(d, inside, key):
    out = collections.Counter(); cost = collections.Counter()
    for (caller, callee), n in d['ecalls'].items():
        b, cb = base(callee), base(caller)
        if inside(b) and not inside(cb):
            k = key(cb, b); out[k] += n; cost[k] += d['ecost'][(caller, callee)]
    return out, cost

jkey = lambda cb, b: (cb, 'parse' if re.search(r'(^|::|<)de::|Deserializ|from_trait|Visitor', b) else 'serialise')
(j1, jc1), (j2, jc2) = entries(d1, is_json, jkey), entries(d2, is_json, jkey)
print("\nJSON work by the function that started it (calls from outside serde_json and serde-derived code into it)\n| caller | kind | calls per message | instructions per message |\n|---|---|---:|---:|")
for k in sorted(set(j1) | set(j2), key=lambda k: -per(jc1[k], jc2[k]))[:40]:
    if abs(per(j1[k], j2[k])) < 0.05: continue
    print(f"| {k[0][:140]} | {k[1]} | {per(j1[k], j2[k]):.2f} | {per(jc1[k], jc2[k]):,.0f} |")
for kind in ('parse', 'serialise'):
    a = sum(v for k, v in j1.items() if k[1] == kind); b = sum(v for k, v in j2.items() if k[1] == kind)
    ca = sum(v for k, v in jc1.items() if k[1] == kind); cb = sum(v for k, v in jc2.items() if k[1] == kind)
    print(f"JSON {kind} entries: {per(a, b):.2f} per message, {per(ca, cb):,.0f} instructions per message")

def callers2(d, target):
    """Two levels of callers of `target`: (caller, caller's caller share)."""
    direct = collections.Counter(); up = collections.defaultdict(collections.Counter)
    for (caller, callee), n in d['ecalls'].items():
        if base(callee) == target: direct[base(caller)] += n
    for (caller, callee), n in d['ecalls'].items():
        if base(callee) in direct: up[base(callee)][base(caller)] += n
    return direct, up
for target in ('getrandom', 'tokio::runtime::blocking::pool::spawn_blocking', 'tokio::task::spawn::spawn', 'mi_malloc_aligned', 'malloc'):
    (a, ua), (b, ub) = callers2(d1, target), callers2(d2, target)
    print(f"\ncallers of {target} (per message), and theirs")
    for k in sorted(set(a) | set(b), key=lambda k: -per(a[k], b[k]))[:12]:
        if per(a[k], b[k]) < 0.05: continue
        print(f"  {per(a[k], b[k]):8.2f}  {k[:150]}")
        for k2 in sorted(set(ua[k]) | set(ub[k]), key=lambda k2: -per(ua[k][k2], ub[k][k2]))[:4]:
            if per(ua[k][k2], ub[k][k2]) < 0.05: continue
            print(f"      {per(ua[k][k2], ub[k][k2]):8.2f}  {k2[:140]}")

x1, x2 = exclusive(d1), exclusive(d2)
print(f"\nwhere the instructions go, exclusive by component (rows add up; total {sum(x2.values()):,} vs {d2['total']:,})\n| component | instructions per message | share |\n|---|---:|---:|")
rest = 0; nrest = 0
for k in sorted(set(x1) | set(x2), key=lambda k: -per(x1[k], x2[k])):
    if per(x1[k], x2[k]) >= 0.001 * tot:
        print(f"| {k} | {per(x1[k], x2[k]):,.0f} | {100 * per(x1[k], x2[k]) / tot:.1f}% |")
    else:
        rest += per(x1[k], x2[k]); nrest += 1
print(f"| the rest ({nrest} crates, each under 0.1%) | {rest:,.0f} | {100 * rest / tot:.1f}% |")
PY
  exit 0
fi

for tool in strace /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench-e2e-work: $tool is needed (Debian: apt-get install strace time)" >&2; exit 1; }
done
nice cargo build --release -p rez-agent -p rez-bench --bin rez-agent --bin rez-bench >&2
AGENT="$ROOT/target/release/rez-agent"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# A wrapper that runs rez-agent under $1 (a command prefix writing to
# $WORK/$2) and, when rez-bench stops it with SIGTERM, passes the signal to
# rez-agent itself so that the tool sees it exit and writes its report.
wrapper() {
  local prefix="$1" report="$2" path="$WORK/$3"
  cat >"$path" <<WRAP
#!/usr/bin/env bash
$prefix -o "$WORK/$report" "$AGENT" "\$@" &
tool=\$!
stop() {
  pkill -TERM -P "\$tool"
  wait "\$tool"
  exit 0
}
trap stop TERM INT
wait "\$tool"
WRAP
  chmod +x "$path"
  echo "$path"
}

timed="$(wrapper "/usr/bin/time -v" time.txt timed.sh)"
traced="$(wrapper "strace -c -f" strace.txt traced.sh)"
target/release/rez-bench e2e --agent "$timed" --n "$N" --runs 1 --out "$WORK/timed.md" >&2
target/release/rez-bench e2e --agent "$traced" --n "$N" --runs 1 --timeout 600 --out "$WORK/traced.md" >&2

messages=$((2 * N))
echo "messages: $messages (each posted, delivered to the stub and read back once)"
echo "timed run: $(grep -E '^\| 1 ' "$WORK/timed.md")"
awk -v m="$messages" -F': ' '
  /User time/ {u = $2} /System time/ {s = $2}
  /Voluntary context switches/ {v = $2} /Involuntary context switches/ {i = $2}
  /File system outputs/ {o = $2} /Maximum resident/ {r = $2}
  END {
    printf "cpu: %.3f s user + %.3f s system = %.0f us per message\n", u, s, (u + s) * 1e6 / m
    printf "context switches per message: %.1f voluntary, %.1f involuntary\n", v / m, i / m
    printf "file-system output: %.1f KiB per message (512-byte blocks / 2); peak RSS %d KiB\n", o / 2 / m, r
  }' "$WORK/time.txt"
echo "system calls per message (strace -c -f, the traced run):"
awk -v m="$messages" '$1 ~ /^[0-9.]+$/ && NF >= 5 {
    name = $NF; calls = $4
    if (calls / m >= 0.05) printf "  %-14s %8.2f\n", name, calls / m
  }' "$WORK/strace.txt"
