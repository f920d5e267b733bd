#!/bin/bash
# The checks of one lent-GPU session (the `device` tool), in one command of under
# 10 minutes. SECTIONS picks among:
#   tests    the test files that run differently with CUDA present (device="auto")
#   cuda     only the tests that need CUDA (-k cuda)
#   epochs   seconds per epoch over the 60,000 Fashion-MNIST training images
#   compare  the full `sparse-parts compare` run, rows in parallel on the one GPU
#   sweep    the asymmetric rows of the study at several epoch budgets, in parallel
#   front    `sparse-parts front` over the auto-encoder families on Fashion-MNIST
#   nmf      SparseNMF's study fit on the 60,000 training images to MSE 0.0115 on the
#            GPU (the batched loop), beside nmf-torch's batch HALS when its wheel is in
#            .gpu/opt/ (benchmarks/bench_nmf_device.py)
# (default: "tests epochs compare"). Needs, in the folder .gpu/ (ignored by git,
# carried by the tool): whl/ with the skorch wheel, skl/fashion_mnist/ with the four
# IDX files. Writes logs and results into $OUT (at most 8 files come back).
# Prepare .gpu/ here, once (the GPU machine has torch, scikit-learn, scikit-image,
# matplotlib and pytest, but neither skorch nor a network):
#
#   mkdir -p .gpu/skl/fashion_mnist
#   cp /usr/share/datasets/fashion-mnist/*.gz .gpu/skl/fashion_mnist/
#   .venv/bin/pip download --no-deps --only-binary=:all: -d .gpu/whl skorch==1.4.0
#   .venv/bin/pip wheel --no-deps -w .gpu/opt nmf-torch==0.1.1   # for "nmf" (optional)
#
# (nmf-torch is a source distribution that compiles a Cython extension: the wheel
# built here is for this machine's Python, cp311; if the GPU machine's Python differs
# its install fails and the "nmf" section times SparseNMF alone.)
#
# then, through the device tool, with carry [".gpu"]:
#
#   SECTIONS="cuda sweep" bash benchmarks/gpu_session.sh
set -u
began=$(date +%s)
OUT=${OUT:-/tmp/gpu_out}
SECTIONS=${SECTIONS:-tests epochs compare}
BUDGET=${BUDGET:-570}
mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/whl/*.whl \
    || exit 1
if [ -d .gpu/opt ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site \
        .gpu/opt/*.whl || echo "optional wheels in .gpu/opt not installed" >&2
fi
export PYTHONPATH=/tmp/site:$PWD SCIKIT_LEARN_DATA=$PWD/.gpu/skl PYTHONUNBUFFERED=1
left() { echo $(( BUDGET - ($(date +%s) - began) )); }
has() { [[ " $SECTIONS " == *" $1 "* ]]; }
{
    date -u
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
    nproc
    python3 -c "import sys, torch, sklearn, skorch, numpy, skimage; print(sys.version); \
print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.is_available()); \
print('sklearn', sklearn.__version__, 'skorch', skorch.__version__, 'numpy', \
numpy.__version__, 'skimage', skimage.__version__)"
} > "$OUT/env.txt" 2>&1

if has tests; then
    timeout 120 python3 -m pytest -q -p no:cacheprovider -n 8 tests/test_autoencoders.py \
        tests/test_autoencoders_sklearn.py tests/test_cli.py > "$OUT/tests.txt" 2>&1
    echo "tests exit status $?" >> "$OUT/tests.txt"
fi
if has cuda; then
    timeout 180 python3 -m pytest -q -p no:cacheprovider -rA -k "cuda or device" \
        tests/test_autoencoders*.py tests/test_device.py tests/test_cli.py \
        > "$OUT/tests.txt" 2>&1
    echo "tests exit status $?" >> "$OUT/tests.txt"
fi
if has epochs; then
    timeout 90 python3 benchmarks/bench_gpu_epoch.py --epochs 4 > "$OUT/epochs.txt" 2>&1
fi
if has sweep; then
    # One process per (row, budget): small models leave the GPU mostly idle.
    for epochs in ${SWEEP_EPOCHS:-10 20 50 100}; do
        for row in asym-p0.05-b0.001 asym-p0.01-b0.01; do
            OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 timeout $(( $(left) - 20 )) \
                python3 benchmarks/bench_autoencoders.py \
                --rows "$row" --epochs "$epochs" --device cuda --threads 1 \
                --json "$OUT/sweep.jsonl" > "/tmp/sweep-$row-$epochs.log" 2>&1 &
        done
    done
    wait
    tail -n 3 /tmp/sweep-*.log > "$OUT/sweep.log"
fi
if has front; then
    # One worker process per configuration at a time: small models leave the GPU idle.
    start=$(date +%s)
    timeout "$(( $(left) - 15 ))" python3 -m sparse_parts front --dataset fashion-mnist \
        --families shallow asym --device cuda --jobs ${FRONT_JOBS:-8} --out /tmp/front \
        > "$OUT/front.log" 2>&1
    echo "front exit status $? after $(( $(date +%s) - start )) s" >> "$OUT/front.log"
    cp /tmp/front/front.csv /tmp/front/front.md /tmp/front/front.png "$OUT/" 2>/dev/null
fi
if has nmf; then
    timeout "$(( $(left) - 10 ))" python3 benchmarks/bench_nmf_device.py --device cuda \
        --skip-numpy --threads 0 --nmf-torch > "$OUT/nmf.txt" 2>&1
    echo "bench_nmf_device exit status $?" >> "$OUT/nmf.txt"
fi
if has compare; then
    start=$(date +%s)
    timeout "$(left)" python3 -m sparse_parts compare --dataset fashion-mnist \
        --device cuda --jobs 11 --out /tmp/compare > "$OUT/compare.log" 2>&1
    echo "compare exit status $? after $(( $(date +%s) - start )) s" >> "$OUT/compare.log"
    cp /tmp/compare/results.csv /tmp/compare/results.md "$OUT/" 2>/dev/null
    (cd /tmp/compare && tar cf "$OUT/figures.tar" ./*.png) 2>/dev/null
fi
ls -la "$OUT"
