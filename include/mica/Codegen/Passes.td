//===- Passes.td - Mica CPU code generation passes ---------*- tablegen -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#ifndef MICA_CODEGEN_PASSES_TD
#define MICA_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def MicaCPUContraction : Pass<"mica-cpu-contraction", "mlir::ModuleOp"> {
  let summary = "Register-blocked, vectorized, threaded kernels for matmuls";
  let description = [{
    Rewrites `linalg.matmul` (plain or with a transposed B map) and
    `linalg.batch_matmul` on f32 tensors into explicit vector code: an
    `scf.forall` over batch, column-panel or row blocks (one per thread),
    then an
    `mr x nr` register tile (`nr` = two or more vector registers) whose
    accumulators are carried in registers across the K loop
    (`vector.fma` on a broadcast A element and a B row segment), then the
    accumulated tile plus the matmul's init tensor is written back.

    The tile sizes come from the strategy table (`lib/Codegen/Strategy.cpp`,
    `mica::getContractionStrategy`): a later tuner can overwrite it. When B is
    a constant (weights), it is packed at compile time into `[N/nr][K][nr]`
    panels (zero padded), so the inner loop reads B contiguously; activations
    are read in place. M, and K for activation operands, may be dynamic; the
    M remainder runs a one-row kernel and the N remainder masked transfers.
    The larger operand streams once: with N >= M (or a dynamic M and a
    constant B) the column panels are the outer loop and each panel is
    reused by every row tile; otherwise the row tiles are outside.

    Ops it cannot handle (other element types, dynamic N) are left for the
    generic loop lowering and listed as a remark.

    Epilogues: when the product's only user is an elementwise
    `linalg.generic` (directly or through one `tensor.expand_shape`, as
    dense layers and attention scores are reshaped before their bias, GELU,
    residual add or mask), the kernel applies the generic's payload to the
    accumulator vectors before it stores them and writes the generic's
    output: the product never goes through memory. The generic must read
    the product with the identity map and its other operands with projected
    permutations (an operand that reads the innermost column dim reads it
    last, as a vector; the others are one element broadcast), compute with
    elementwise-mappable scalar ops, and the product must start from a
    constant fill. A reshape that splits the columns must keep an innermost
    size that is a multiple of the vector width. With `remarks`, every
    candidate says whether it was fused, and why not.

    With `precision=bf16`, every matmul whose B is a constant (weights) is
    computed with bf16 inputs and f32 accumulation on AVX-512 BF16 dot
    products (`x86vector.avx512.dot`, `vdpbf16ps`): B is rounded to bf16
    (round to nearest even) and packed at compile time into K-pair
    interleaved panels `[N/nr][K/2][nr][2]` (stored as
    `[N/nr][ceil(K/2)][2*nr]`, an odd K padded with a zero row), A is
    rounded to bf16 once before the kernel (a `linalg.generic` of
    `arith.truncf`), and each K step broadcasts the pair
    (A[m][k], A[m][k+1]) as one 32-bit lane pattern against a
    `vector<32xbf16>` panel row. Accumulators, init and output stay f32.
    Contractions whose B is an activation (attention, batch matmuls) or
    not packable (dynamic K or N, `pack-weights=0`) stay f32, with a
    remark. The object code needs a CPU with avx512_bf16: `mica-compile`
    reports an error for targets without it.

    ```mlir
    %r = linalg.matmul ins(%a, %w : tensor<?x768xf32>, tensor<768x768xf32>)
                       outs(%c : tensor<?x768xf32>) -> tensor<?x768xf32>
    // becomes scf.forall / scf.for loops over vector.fma on
    // vector<16xf32> with %w packed to tensor<24x768x32xf32>
    ```
  }];
  let options = [
    Option<"threads", "threads", "unsigned", /*default=*/"1",
           "Number of threads the outer scf.forall is split into">,
    Option<"packWeights", "pack-weights", "bool", /*default=*/"true",
           "Pack constant B operands into panels at compile time">,
    Option<"minParallelMacs", "min-parallel-macs", "int64_t",
           /*default=*/"262144",
           "Contractions with fewer multiply-accumulates (dynamic dims "
           "counted as 1024) run on one thread: a fork/join costs more">,
    Option<"colSplitRatio", "col-split-ratio", "int64_t", /*default=*/"1",
           "Threads also split the columns of B instead of the rows of A "
           "when N >= this * M (B dominates the traffic); 0: only when M "
           "is too small to share">,
    Option<"precision", "precision", "std::string", /*default=*/"\"fp32\"",
           "Compute type of the kernels: fp32, or bf16 (bf16 inputs and "
           "constant weights, f32 accumulation and output, AVX-512 BF16 dot "
           "products; activation-B contractions stay f32)">,
    Option<"epilogues", "epilogues", "bool", /*default=*/"true",
           "Apply an elementwise consumer (bias, activation, residual, "
           "mask) to the accumulators before they are stored">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Say for every contraction whether its elementwise consumer was "
           "fused into the epilogue, and why not">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::x86vector::X86VectorDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
}

def MicaCPUPlanBuffers : Pass<"mica-cpu-plan-buffers", "mlir::func::FuncOp"> {
  let summary = "Place the temporary buffers of a function in one arena";
  let description = [{
    After bufferization and deallocation every intermediate tensor of a
    model is a `memref.alloc` / `memref.dealloc` pair: one `malloc` and one
    `free` per op and run, and as much memory as all of them together. This
    pass gives every such buffer with a static size an offset in an arena
    (a 64-byte aligned `memref.alloc` of i8 at the function's entry, freed
    at its returns; one arena, or several of at most `max-arena-bytes`): buffers whose lifetimes (alloc to dealloc, in the
    function's top-level order) do not overlap share bytes, placed largest
    first at the lowest offset that fits. Each alloc becomes a `memref.view`
    of the arena and its dealloc disappears.

    Buffers allocated inside a sequential loop (`scf.for`, `scf.while`) or
    an `scf.if` live, for the plan, as long as the top-level op holding
    them. A static buffer allocated and freed in the body of a top-level
    `scf.forall` with static bounds (a row chain's row temporaries) gets
    one slot per iteration in a buffer allocated around the loop (slot =
    the iteration's row-major index), which is then planned like any other
    buffer, when all slots fit in `max-arena-bytes` and a slot is at most
    1 KiB (larger ones keep malloc's cache-hot block). Other buffers inside a
    parallel loop (possibly live at the same time), with dynamic sizes, a
    non-identity layout, or no dealloc in their own block (results handed to
    the caller) keep their allocation. With `remarks`, a summary says how
    many buffers were planned, the arena's size and the bytes the buffers
    would have taken separately.
  }];
  let options = [
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report the plan as a remark on the function">,
    Option<"maxArenaBytes", "max-arena-bytes", "int64_t",
           /*default=*/"4194304",
           "Largest arena: more buffers open another one, a larger buffer "
           "keeps its own allocation (the C library hands out large blocks "
           "as fresh mappings, page-faulted again on every run: DistilBERT "
           "with one arena ran 5x slower)">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def MicaCPUPrepareABI : Pass<"mica-cpu-prepare-abi", "mlir::ModuleOp"> {
  let summary = "Pick the model entry and record its signature for the C ABI";
  let description = [{
    Finds the model function (`@main`, or the only public function; the
    `entry` option names another), marks it `llvm.emit_c_interface` and
    stores its signature (input/output names from `mica.name`, dtypes and
    dims, -1 for dynamic) in the module attribute `mica.model_signature`,
    in the line format `lib/Runtime/MicaModel.c` parses. Element types the C
    ABI cannot describe are an error located at the function.
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "Name of the model function (default: main or the only one)">,
  ];
}

def MicaEmitModelABI : Pass<"mica-emit-model-abi", "mlir::ModuleOp"> {
  let summary = "Add the C ABI symbols of include/mica/Runtime/MicaModel.h";
  let description = [{
    Runs on the LLVM dialect module, after `mica-cpu-prepare-abi` and the
    conversion to LLVM. Adds:

    * `mica_model_signature`: the recorded signature as a C string;
    * `mica_model_entry(void **args)`: unpacks the result pointer and one
      memref descriptor pointer per input and calls the entry's
      `_mlir_ciface_` wrapper;
    * `mica_model_create()`: `mica_model_create_from(signature, entry)`,
      implemented by the Mica runtime library linked into every model.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def MicaCPULowerDynamicReshapes
    : Pass<"mica-cpu-lower-dynamic-reshapes", "mlir::func::FuncOp"> {
  let summary = "Expand contiguous memref reshapes with dynamic groups";
  let description = [{
    `memref.expand_shape` of an identity-layout memref whose reassociation
    group splits one dim into several dynamic dims becomes a
    `memref.reinterpret_cast` with sizes from `output_shape` and row-major
    strides computed in `arith`. (Upstream `expand-strided-metadata` cannot
    handle such groups in LLVM 22.)
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def MicaMathApproximation
    : Pass<"mica-math-approximation", "mlir::func::FuncOp"> {
  let summary = "Polynomial approximations of exp, tanh, erf, ... (vectorizable)";
  let description = [{
    Replaces `math.exp`, `math.tanh`, `math.erf`, `math.log` and friends on
    f32 scalars and vectors by the upstream polynomial approximations
    (`populateMathPolynomialApproximationPatterns`), so that loops over
    them vectorize instead of calling libm element by element. Accuracy is
    within a few ulp of libm (see docs/pipeline.md).
  }];
  let dependentDialects = ["mlir::math::MathDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::vector::VectorDialect"];
}

def MicaCPUVerifyLowered : Pass<"mica-cpu-verify-lowered", "mlir::ModuleOp"> {
  let summary = "Report mica ops that convert-mica-to-linalg could not lower";
  let description = [{
    Runs after `convert-mica-to-linalg` in the CPU pipeline. Every `mica` op
    still present gets an error at its location (the model node) naming the
    op and its operand and result types, with the usual reason: lowerings of
    windows (conv, pool, resize) need static spatial dims and recurrences
    (lstm, gru) a static batch and input size. Without this check such ops
    would fail much later, inside bufferization, with no useful message.
  }];
}

def MicaCPUFuseElementwise
    : Pass<"mica-cpu-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg producers into their consumers, "
                "keeping contractions intact";
  let description = [{
    Upstream elementwise fusion (`populateElementwiseOpsFusionPatterns`)
    with a control function that never fuses into or out of a named
    contraction (`linalg.matmul`, `linalg.batch_matmul`): fusing a
    broadcast or reshape into a matmul turns it into a `linalg.generic`
    that `mica-cpu-contraction` no longer recognizes, and the matmul would
    run as scalar loops. Only producers with a single use are fused (a
    producer with several users would be recomputed in each). Elementwise
    chains, and elementwise producers of reductions (softmax, layer norm),
    fuse as usual.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def MicaCPUFastMathFlags
    : Pass<"mica-cpu-fast-math-flags", "mlir::func::FuncOp"> {
  let summary = "Allow reassociation and FMA contraction of float arithmetic";
  let description = [{
    Sets `fastmath<reassoc,contract>` on every `arith` op with fast-math
    flags. LLVM only vectorizes floating-point reductions (the sums and maxima
    of layer norm, softmax and mean) when it may reassociate them, and only
    fuses a multiply and an add into an FMA when it may contract. NaN and
    infinity semantics are kept (no `nnan`/`ninf`). Part of the CPU
    pipeline's `fast-math` option.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def MicaCPUFuseRows : Pass<"mica-cpu-fuse-rows", "mlir::func::FuncOp"> {
  let summary = "Compute row-wise chains (softmax, layer norm) one row at a "
                "time";
  let description = [{
    Softmax, layer norm and the other row-wise chains reach this point as
    several ops, each a full pass over the tensor: reductions over the
    innermost dim (max, sum, mean, variance) and the elementwise ops that
    read their results (exp, normalize, scale and shift). When the tensor
    is larger than the caches, every pass streams it from memory again.

    This pass finds each elementwise op that reads an innermost reduction of
    the same rows (the root), collects the ops feeding it that only it and
    its group use and that map each row to itself, and computes them in one
    loop over the rows: each op of the group is tiled to one row exactly
    once (upstream `TilingInterface::getTiledImplementation`), a member's
    row feeding the ops that read it directly (upstream tile-and-fuse would
    recompute a producer with two readers, such as softmax's exp, once per
    reader). Every pass of a row then works on data the previous pass left
    in L1/L2, and the tensor is read from memory once and written once. With `threads` > 1 the row loop is an `scf.forall` when
    the chain is large enough (`min-parallel-elements`) and has at least
    `threads` rows. `mica-cpu-vectorize` then vectorizes the ops of a row.

    A root whose chain has a single row, a dynamic dim, or no fusible
    producer is left alone; with `remarks` each candidate says which.

    ```mlir
    %max = linalg.generic {iterator_types = ["parallel", "reduction"]} ...
    %exp = linalg.generic ... (%x, %max)      // exp(x - max)
    %sum = linalg.generic {... "reduction"]} ins(%exp ...)
    %y = linalg.generic ins(%exp, %sum ...)  // exp / sum
    // becomes scf.forall %row in (R) { max, exp, sum, divide of one row }
    ```
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"1",
           "Threads: the row loop is an scf.forall when there are at least "
           "this many rows and min-parallel-elements points">,
    Option<"minParallelElements", "min-parallel-elements", "int64_t",
           /*default=*/"32768",
           "Smallest root iteration space whose row loop runs in parallel">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Emit a remark for every row chain fused or left alone">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect"];
}

def MicaCPUVectorize : Pass<"mica-cpu-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile and vectorize elementwise and reduction linalg.generic ops";
  let description = [{
    Every `linalg.generic` on tensors is tiled to one element in its outer
    parallel dims and `vector-width` elements in its innermost dim
    (`scf.for`, upstream `tileUsingSCF`), then vectorized with upstream
    `linalg::vectorize` using those vector sizes (masked where the dim is
    dynamic or not a multiple). Reduction dims are kept whole and must be
    static and small (at most `max-reduction` elements); an innermost
    reduction (the rows of softmax and layer norm) becomes one vector
    reduction. A reduction longer than `max-reduction` (a vocabulary row) is
    reduced in chunks of `reduction-chunk` elements by an `scf.for` carrying
    the partial result. An innermost dim that the tile does not divide is
    first split (upstream `linalg::splitOp`) at the last multiple, so that
    the head's tiles and the tail are all static and vectorize. Ops the
    vectorizer rejects stay as tiled scalar loops, which is always correct.
    Contractions are left to `mica-cpu-contraction`.

    With `threads` > 1, the tile loops of an op with a large enough static
    iteration space (`min-parallel-elements`) are one `scf.forall` instead
    of an `scf.for` nest (the pipeline turns it into an OpenMP parallel
    loop): elementwise ops, bias/activation epilogues and the rows of
    softmax and layer norm then use every thread, like the contractions.
    Smaller ops, ops with fewer rows (outer iterations) than threads, and
    ops with dynamic dims keep `scf.for` (a fork/join costs more than they
    save; a single long row's reductions run on one thread anyway).

    The online max/sum reduction of softmax (a `linalg.generic` with two
    reduction outputs whose body is the step of
    `mica/Conversion/MicaToLinalg/OnlineSoftmax.h`, as convert-mica-to-linalg
    writes it) has its own schedule: one row at a time (the rows of an
    `scf.for` nest, or an `scf.forall` under the rule below), each row an
    `scf.for` over `vector-width` lanes that carries a running max and sum
    per lane, the lanes (and a shorter vector for the remainder) combined at
    the end. It is never chunked or split, whatever the row's length. With
    `remarks`, each such reduction says whether it was vectorized and why
    not (dynamic dims, a reduction that is not the innermost loop).

    ```mlir
    %r = linalg.generic {iterator_types = ["parallel", "parallel"]} ...
         : tensor<?x768xf32>
    // becomes scf.for %i ... scf.for %j step 64 ... vector.transfer_read
    //   ... arith.addf : vector<1x64xf32> ... vector.transfer_write
    ```
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"64",
           "Elements per vector in the innermost parallel dim">,
    Option<"maxReduction", "max-reduction", "int64_t", /*default=*/"4096",
           "Largest static reduction size vectorized whole">,
    Option<"reductionChunk", "reduction-chunk", "int64_t",
           /*default=*/"512",
           "An innermost reduction longer than max-reduction is reduced in "
           "chunks of this many elements (a multiple of vector-width)">,
    Option<"threads", "threads", "int64_t", /*default=*/"1",
           "Threads: with more than one, the tile loops of an op whose "
           "static iteration space has at least `min-parallel-elements` "
           "points are an scf.forall (OpenMP after mica-cpu-pipeline)">,
    Option<"minParallelElements", "min-parallel-elements", "int64_t",
           /*default=*/"32768",
           "Smallest static iteration space (all loops, reduction included) "
           "whose tile loops run in parallel">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Say for every online softmax reduction whether it was "
           "vectorized, and why not">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::ub::UBDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::tensor::TensorDialect"];
}

#endif // MICA_CODEGEN_PASSES_TD
