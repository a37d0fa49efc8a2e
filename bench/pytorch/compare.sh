#!/bin/sh
# Runs flowkern (bench/flowpeer) and PyTorch (flowkern_torch.py bench) on the
# same model files, configurations, precisions and thread counts, and writes
# the JSON lines to bench/pytorch/results.jsonl and the table into
# docs/flows/pytorch.md (between its "results" markers).
#
#   sh bench/pytorch/compare.sh            # from the repository root
#   CONFIGS="toy d64" DTYPES=float32 THREADS=1 RUN_SECONDS=1 sh bench/pytorch/compare.sh
#
# PyTorch's threading: OMP_NUM_THREADS = MKL_NUM_THREADS = k and
# torch.set_num_threads(k); OPENBLAS_NUM_THREADS=1 (OpenBLAS's own threads
# fight torch's); OMP_WAIT_POLICY=PASSIVE (libgomp's spinning barriers burn
# CPU time while the other thread is descheduled on a shared machine); and,
# when Debian's OpenBLAS is installed (apt-get install libopenblas0-pthread),
# its library with OPENBLAS_CORETYPE=SkylakeX: OpenBLAS 0.3.21 does not know
# Zen 5 and would run its AVX2 (Haswell) kernels, 1.8x slower in sgemm here
# (this machine's environment even sets OPENBLAS_CORETYPE=Haswell; set
# FLOWKERN_OPENBLAS_CORETYPE to choose another).
set -eu
cd "$(dirname "$0")/../.."
PY=${FLOWKERN_PYTHON:-/usr/bin/python3}
CONFIGS=${CONFIGS:-"toy d64 d784 toy-relu"}
DTYPES=${DTYPES:-"float32 float64"}
THREADS=${THREADS:-"1 2"}
SECONDS_PER=${RUN_SECONDS:-1}
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)
OUT=bench/pytorch/results.jsonl
DOC=docs/flows/pytorch.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

OB=/usr/lib/x86_64-linux-gnu/openblas-pthread
if [ -e "$OB/libblas.so.3" ]; then
	BLASENV="LD_LIBRARY_PATH=$OB OPENBLAS_CORETYPE=${FLOWKERN_OPENBLAS_CORETYPE:-SkylakeX}"
else
	echo "compare.sh: no OpenBLAS at $OB: PyTorch runs on the system BLAS" >&2
	BLASENV=""
fi

go build -o "$tmp/flowpeer" ./bench/flowpeer
: > "$tmp/results.jsonl"
for c in $CONFIGS; do
	reps="-min-reps 3"
	[ "$c" = d784 ] && reps="-min-reps 3 -max-reps 3"
	for dt in $DTYPES; do
		for k in $THREADS; do
			m="$tmp/$c-$dt.safetensors"
			echo "== $c $dt threads=$k" >&2
			"$tmp/flowpeer" -config "$c" -dtype "$dt" -threads "$k" -seconds "$SECONDS_PER" $reps -save "$m" >> "$tmp/results.jsonl"
			env $BLASENV OMP_NUM_THREADS="$k" MKL_NUM_THREADS="$k" OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE \
				"$PY" bench/pytorch/flowkern_torch.py bench --model "$m" --config "$c" --threads "$k" \
				--seconds "$SECONDS_PER" $(echo "$reps" | sed 's/-min-reps/--min-reps/; s/-max-reps/--max-reps/') >> "$tmp/results.jsonl"
		done
	done
done
cp "$tmp/results.jsonl" "$OUT"

{
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') at commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- bench/flowpeer bench/pytorch/flowkern_torch.py models nn kernels internal 2>/dev/null || echo ' (+ local changes)'),"
	echo "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores, $(go version | cut -d' ' -f3),"
	echo "torch $("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null), ISA $(sed -n 's/.*"isa":"\([a-z0-9]*\)".*/\1/p' "$OUT" | head -1);"
	echo "load average before/after: $LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "PyTorch environment: ${BLASENV:-system BLAS} OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=MKL_NUM_THREADS=k OMP_WAIT_POLICY=PASSIVE, torch.set_num_threads(k)."
	echo
	"$PY" bench/pytorch/flowkern_torch.py table "$OUT"
} > "$tmp/table.md"

if grep -q '<!-- results begin -->' "$DOC" 2>/dev/null; then
	"$PY" - "$DOC" "$tmp/table.md" <<'EOF'
import sys
doc, table = open(sys.argv[1]).read(), open(sys.argv[2]).read()
head, rest = doc.split("<!-- results begin -->", 1)
tail = rest.split("<!-- results end -->", 1)[1]
open(sys.argv[1], "w").write(head + "<!-- results begin -->\n" + table + "<!-- results end -->" + tail)
EOF
	echo "compare.sh: table written into $DOC" >&2
else
	cat "$tmp/table.md"
fi
