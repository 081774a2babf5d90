# -*- Python -*-
# lit configuration of the Mica test suite.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "MICA"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".pbtxt", ".test", ".c", ".py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.mica_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py", "Inputs", "models"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%mica_src", config.mica_src_root))
config.substitutions.append(("%mica_obj", config.mica_obj_root))
config.substitutions.append(("%mlir_dir", config.mlir_dir))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%cmake_generator", config.cmake_generator))
config.substitutions.append(("%python", config.python_executable))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP",
                                     "CCACHE_DIR"])
llvm_config.use_default_substitutions()

tool_dirs = [config.mica_tools_dir, config.llvm_tools_dir]
tools = ["mica-opt", "mica-import", "mica-run"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.with_environment("PATH", config.mica_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# Running lowered IR with MLIR's JIT runner (convert-mica-to-linalg tests):
# %mlir_runner_libs are the -shared-libs its printMemref* calls need, and
# %linalg_to_llvm the upstream passes from tensor-level linalg to LLVM.
mlir_lib_dir = os.path.join(os.path.dirname(config.llvm_tools_dir), "lib")
config.substitutions.append(
    ("%mlir_runner_libs",
     "-shared-libs=" + ",".join(
         os.path.join(mlir_lib_dir, lib) for lib in
         ["libmlir_c_runner_utils.so", "libmlir_runner_utils.so"])))
config.substitutions.append(
    ("%linalg_to_llvm",
     "--one-shot-bufferize=bufferize-function-boundaries --convert-math-to-funcs "
     "--convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata "
     "--lower-affine --convert-math-to-llvm --convert-math-to-libm "
     "--finalize-memref-to-llvm --convert-to-llvm --reconcile-unrealized-casts"))

# The GPU backend (test/GPU): `ptxas` when CUDA's PTX assembler is found
# (tests that assemble the generated PTX: REQUIRES: ptxas, run it as %ptxas),
# `cuda-gpu` when an NVIDIA GPU and its driver are usable (tests that launch
# kernels: REQUIRES: cuda-gpu; everywhere else they report UNSUPPORTED).
import shutil
import subprocess

ptxas = shutil.which("ptxas") or shutil.which(
    "ptxas", path=os.path.join(os.environ.get("CUDA_HOME", "/usr/local/cuda"),
                               "bin"))
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))


def _has_cuda_gpu():
    nvidia_smi = shutil.which("nvidia-smi")
    if not nvidia_smi:
        return False
    try:
        out = subprocess.run([nvidia_smi, "-L"], capture_output=True,
                             timeout=20, text=True)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and "GPU" in out.stdout


if _has_cuda_gpu():
    config.available_features.add("cuda-gpu")
    # `cuda-sm80`: the GPU runs sm_80 code (mma.sync kernels).
    try:
        caps = subprocess.run(
            [shutil.which("nvidia-smi"), "--query-gpu=compute_cap",
             "--format=csv,noheader"], capture_output=True, timeout=20,
            text=True).stdout.split()
        if caps and float(caps[0]) >= 8.0:
            config.available_features.add("cuda-sm80")
    except (OSError, ValueError, subprocess.TimeoutExpired):
        pass

# The mgpu* runtime (lib/GPURuntime) that host code lowered by gpu-to-llvm
# calls, for mlir-runner -shared-libs.
config.substitutions.append(
    ("%mica_cuda_runtime",
     os.path.join(config.mica_obj_root, "lib", "libmica_cuda_runtime.so")))

# `avx512bf16` when the host CPU has AVX-512 BF16 (vdpbf16ps): tests that
# execute --precision=bf16 code guard those lines with
# `%if avx512bf16 %{ ... %}` (compile-only lines run everywhere).
try:
    with open("/proc/cpuinfo") as _cpuinfo:
        if " avx512_bf16" in _cpuinfo.read():
            config.available_features.add("avx512bf16")
except OSError:
    pass
